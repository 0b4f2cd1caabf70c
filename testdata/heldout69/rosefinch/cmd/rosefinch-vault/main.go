// Command rosefinch-vault serves the rosefinch secrets engine as a Vault
// plugin.
package main

import (
	"os"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/vault/sdk/plugin"

	"github.com/rosefinch-dev/rosefinch/internal/previewengine"
)

func main() {
	logger := hclog.New(&hclog.LoggerOptions{Name: "rosefinch"})
	if err := plugin.ServeMultiplex(&plugin.ServeOpts{
		BackendFactoryFunc: previewengine.Factory,
		Logger:             logger,
	}); err != nil {
		logger.Error("plugin shutting down", "error", err)
		os.Exit(1)
	}
}
