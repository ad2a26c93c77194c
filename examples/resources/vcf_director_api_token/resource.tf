variable "director_password" {
  type      = string
  sensitive = true
}

# The provider's director block must log in with username and password: sessions opened with an
# API token cannot create tokens.
provider "vcf" {
  director {
    host     = "vcd.rainpole.io"
    org      = "rainpole"
    username = "capvcd-owner"
    password = var.director_password
  }
}

resource "time_rotating" "capvcd" {
  rotation_days = 30
}

resource "vcf_director_api_token" "capvcd" {
  name = "capvcd-cluster-api"
  org  = "rainpole"

  rotation_triggers = {
    rotated = time_rotating.capvcd.id
  }

  lifecycle {
    create_before_destroy = true
  }
}
