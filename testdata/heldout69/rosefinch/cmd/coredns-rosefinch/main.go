// Command coredns-rosefinch is CoreDNS with the previewkv plugin compiled in.
package main

import (
	"slices"

	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/log"

	_ "github.com/rosefinch-dev/rosefinch/internal/previewdns"
)

func main() {
	at := slices.Index(dnsserver.Directives, "forward")
	if at < 0 {
		at = len(dnsserver.Directives)
	}
	dnsserver.Directives = slices.Insert(dnsserver.Directives, at, "previewkv")
	coremain.Run()
}
