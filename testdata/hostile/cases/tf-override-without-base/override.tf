resource "google_compute_network" "other" {
  name = "x"
}
