variable "v" {}
resource "google_compute_network" "n" {
  name = var.v
}
