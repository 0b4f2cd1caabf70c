package admin

import (
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

func noticeValue(s string) kv.NamespaceValueUpdateParamsValueUnion { return shared.UnionString(s) }
