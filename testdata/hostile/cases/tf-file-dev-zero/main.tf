resource "google_compute_network" "n" {
  description = file("/dev/zero")
}
