resource "google_compute_network" "n" {
  for_each = null
}
