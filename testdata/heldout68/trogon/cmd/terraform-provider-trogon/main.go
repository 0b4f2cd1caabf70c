// Command terraform-provider-trogon serves the trogon Terraform provider.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/trogon-edge/trogon/internal/tfprovider"
)

var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), tfprovider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/trogon-edge/trogon",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
