// Command api is the auction house's REST API.
package main

import (
	"flag"
	"fmt"

	"github.com/zeromicro/go-zero/core/conf"
	"github.com/zeromicro/go-zero/rest"

	"github.com/kakapo-auctions/kakapo/internal/config"
	"github.com/kakapo-auctions/kakapo/internal/handler"
	"github.com/kakapo-auctions/kakapo/internal/svc"
)

var configFile = flag.String("f", "etc/kakapo-api.yaml", "the config file")

func main() {
	flag.Parse()

	var c config.Config
	conf.MustLoad(*configFile, &c, conf.UseEnv())

	server := rest.MustNewServer(c.RestConf)
	defer server.Stop()

	ctx := svc.NewServiceContext(c)
	handler.RegisterHandlers(server, ctx)

	fmt.Printf("Starting server at %s:%d...\n", c.Host, c.Port)
	server.Start()
}
