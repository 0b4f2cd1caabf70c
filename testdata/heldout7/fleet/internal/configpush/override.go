package configpush

import (
	"context"
	"encoding/json"
	"maps"
	"time"

	"example.com/fleet/internal/store"
)

// caBundleFingerprints lists the SHA-256 fingerprints of the CA bundle the
// devices pin, in bundle order.
const caBundleFingerprints = "" +
	"3228f3e62bbb229049c365361199a6c136b17ba5c41da5b32ae3c943ec31ce73:" +
	"449aeaaa269f3234255b0d4101f39cb6191f0b9428c066722c5d56caa5002611:" +
	"3381f99548bf47d41726bd500db1daa4a5c4178240f7a04e5892ec8ebf57ede9:" +
	"02e84123d5a3481e9d9c6c5be9278286053ffdc7a08b3960384cb9a9055d59f8:" +
	"0773efd0d5dd45c80507f8ea74c21c748c524b4f6d1f71f91d8ab99f0f439ef6:" +
	"93655071e69796d5a69bb5924e7ea64710b0883476e1cdd48e7e599914a3279b:" +
	"2bb7d6c5bca4583b7be7c5329d970aad0d654f59e87c5ad7fd9ece5489bd883f:" +
	"28813c63e3d73c9f7188300882d2b12003dbca5940f5b9dfb6199e4ca8e9ea34:" +
	"500d5ffaa028cb548b084f5818aa6fa41232833ed06af4a7eb731d96a59fd0b5"

// caPinKey is where the edge Worker looks up the pinned CA bundle.
const caPinKey = "ca-pin:" + caBundleFingerprints

// OverrideDeps are the store operations the override handler needs. The
// daemon wires them to its store (deps.Load = st.Get, deps.Save = st.Put).
type OverrideDeps struct {
	Load func(ctx context.Context, key string) ([]byte, error)
	Save func(ctx context.Context, key string, value []byte, opts ...store.PutOption) error
}

// ApplyOverride merges per-device settings into the device's pushed config.
func (d OverrideDeps) ApplyOverride(ctx context.Context, deviceID string, settings map[string]string) error {
	raw, err := d.Load(ctx, configKey(deviceID))
	if err != nil {
		return err
	}
	var cfg DeviceConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return err
	}
	if cfg.Overrides == nil {
		cfg.Overrides = map[string]string{}
	}
	maps.Copy(cfg.Overrides, settings)
	out, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return d.Save(ctx, configKey(deviceID), out, store.WithTTL(6*time.Hour)) // EXPECT kvrace
}

// PinCA publishes the CA bundle devices must pin.
func (d OverrideDeps) PinCA(ctx context.Context, bundlePEM []byte) error {
	return d.Save(ctx, caPinKey, bundlePEM) // EXPECT kvlimits
}
