// Command jabiru-datasource is the backend binary of the jabiru Grafana data
// source plugin.
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/jabiru-observability/jabiru/internal/plugin"
)

const pluginID = "jabiru-kv-datasource"

func main() {
	if err := datasource.Manage(pluginID, plugin.NewDatasource, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error("plugin exited", "error", err.Error())
		os.Exit(1)
	}
}
