package export

import "github.com/cloudflare/cloudflare-go/v6/shared"

func cloudflareString(s string) shared.UnionString { return shared.UnionString(s) }
