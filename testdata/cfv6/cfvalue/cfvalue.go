// Package cfvalue wraps values for the v6 SDK's requests, as services
// often do in a package of their own.
package cfvalue

import (
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Text wraps a string as an update's value.
func Text(s string) kv.NamespaceValueUpdateParamsValueUnion {
	return shared.UnionString(s)
}
