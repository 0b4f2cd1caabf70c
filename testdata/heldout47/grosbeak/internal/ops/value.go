//go:build !js

package ops

import "github.com/cloudflare/cloudflare-go/v6/shared"

func stringValue(s string) shared.UnionString { return shared.UnionString(s) }
