resource "google_compute_network" "n" {
  description = templatefile("nope.tftpl", {})
}
