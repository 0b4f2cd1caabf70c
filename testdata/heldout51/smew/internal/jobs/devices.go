package jobs

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"example.com/smew/internal/kvstore"
)

// DeviceConfig is pushed to each officer handheld.
type DeviceConfig struct {
	Serial string   `json:"serial"`
	Zones  []string `json:"zones"`
	Beat   string   `json:"beat"`
}

// PushDeviceConfigs writes every handheld's configuration concurrently and
// stamps the roster so the edge knows a new roster is out.
func PushDeviceConfigs(ctx context.Context, st kvstore.Store, cfgs map[string]DeviceConfig, log *slog.Logger) {
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	var wg sync.WaitGroup
	for serial, cfg := range cfgs {
		wg.Go(func() {
			b, _ := json.Marshal(cfg)
			if err := st.Put(ctx, "devcfg:"+serial, b, 0); err != nil {
				log.Warn("push device config", "serial", serial, "err", err)
				return
			}
			if err := st.Put(ctx, "devcfg:roster-stamp", stamp, 0); err != nil { // EXPECT kvhotkey
				log.Warn("stamp roster", "err", err)
			}
		})
	}
	wg.Wait()
}
