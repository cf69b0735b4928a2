resource "google_compute_network" "n" {
  count = "many"
}
