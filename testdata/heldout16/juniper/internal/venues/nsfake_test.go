package venues

import "example.com/juniper/internal/cfapi"

func nilNamespace() cfapi.Namespace { return cfapi.Namespace{} }
