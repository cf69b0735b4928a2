resource "google_compute_network" "n" {
  count    = 1
  for_each = {}
}
