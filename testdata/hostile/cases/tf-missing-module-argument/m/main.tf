variable "required" {}
resource "google_compute_network" "n" {
  name = var.required
}
