resource "google_compute_network" "n" {}

resource "google_compute_network" "n" {}
