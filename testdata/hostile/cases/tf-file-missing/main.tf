resource "google_compute_network" "n" {
  description = file("nope.txt")
}
