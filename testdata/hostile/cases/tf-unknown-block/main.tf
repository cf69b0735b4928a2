resources "google_compute_network" "n" {}
