resource "google_compute_network" "n" {
  count = 1000000
  name  = "n${count.index}"
}
