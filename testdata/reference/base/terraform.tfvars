authorized_networks = [
  { cidr_block = "10.0.0.0/8", display_name = "corp-internal" },
  { cidr_block = "192.168.100.0/24", display_name = "bastion" },
]
