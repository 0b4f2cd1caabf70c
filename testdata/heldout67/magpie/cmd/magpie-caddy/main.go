// Command magpie-caddy is our Caddy build: the standard modules plus the
// media platform's handlers and the purge app.
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/magpie-media/magpie/caddy/dlgate"
	_ "github.com/magpie-media/magpie/caddy/hotlink"
	_ "github.com/magpie-media/magpie/caddy/purgeapp"
	_ "github.com/magpie-media/magpie/caddy/variantcache"
)

func main() {
	caddycmd.Main()
}
