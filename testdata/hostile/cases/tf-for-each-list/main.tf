resource "google_compute_network" "n" {
  for_each = ["a", "b"]
}
