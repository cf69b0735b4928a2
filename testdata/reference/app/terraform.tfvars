clusters = {
  primary = {
    name           = "prod-primary-gke"
    endpoint       = "172.16.0.2"
    ca_certificate = ""
    region         = "europe-west1"
  }
  secondary = {
    name           = "prod-secondary-gke"
    endpoint       = "172.16.0.18"
    ca_certificate = ""
    region         = "europe-west4"
  }
}
