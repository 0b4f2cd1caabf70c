package export

import "github.com/cloudflare/cloudflare-go/v4/kv"

type kvNamed = kv.Key
