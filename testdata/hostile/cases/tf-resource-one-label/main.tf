resource "google_compute_network" {}
