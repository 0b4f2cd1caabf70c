package booking

import (
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

func stringValue(b []byte) kv.NamespaceValueUpdateParamsValueUnion {
	return shared.UnionString(b)
}
