# By the token id; token is null after an import (Director never shows it again).
terraform import vcf_director_api_token.capvcd urn:vcloud:token:0f8fad5b-d9cb-469f-a165-70867728950e
