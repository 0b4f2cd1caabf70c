package graph

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"github.com/fleetwire/snipe/internal/fleet"
)

// installNotice is shown by the device UI before any firmware install.
const installNotice = "IMPORTANT SAFETY AND INSTALLATION NOTICE. Before installing this firmware update, make sure that the " +
	"device is connected to a stable power source and that the battery is charged above forty percent. Do not disconnect " +
	"power, remove the battery, or power-cycle the device while the update is being applied; doing so may leave the device " +
	"in an unrecoverable state that requires a return to the manufacturer. The update verifies the signature of the image " +
	"before it is written and keeps the previous image in the inactive slot so that the device can roll back automatically " +
	"if the new image fails its first-boot health checks. Sensors and actuators attached to the device stay in their last " +
	"safe state during the update and resume normal operation after the device reports a successful boot. Installations in " +
	"regulated environments must be scheduled within an approved maintenance window and recorded in the site's change log. " +
	"By proceeding you confirm that the operator responsible for this site has approved the update and that any local " +
	"safety interlocks have been checked. For support, contact your fleet administrator or the vendor's support desk."

type manifestInput struct {
	Channel   string
	Firmware  string
	URL       string
	Sha256    string
	ValidDays *int32
}

type manifestMeta struct {
	Firmware string `json:"firmware"`
	Notice   string `json:"notice"`
}

// PublishManifest stores a channel's manifest. Manifests carry their own
// validity so that devices stop seeing a withdrawn build.
func (r *Resolver) PublishManifest(ctx context.Context, args struct{ Input manifestInput }) (bool, error) {
	in := args.Input
	expires := time.Now().Add(30 * 24 * time.Hour)
	if in.ValidDays != nil {
		expires = time.Now().AddDate(0, 0, int(*in.ValidDays))
	}
	body, _ := json.Marshal(map[string]any{"channel": in.Channel, "firmware": in.Firmware, "url": in.URL, "sha256": in.Sha256, "expires": expires})
	_, err := r.store.API().KV.Namespaces.Values.Update(ctx, r.store.NamespaceID(), fleet.ManifestKey(in.Channel), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(r.store.AccountID()),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(body)),
		Expiration: cloudflare.F(float64(expires.UnixMilli())),                                    // EXPECT kvttl
		Metadata:   cloudflare.F[any](manifestMeta{Firmware: in.Firmware, Notice: installNotice}), // EXPECT kvlimits
	})
	return err == nil, err
}

// Manifest returns a channel's current manifest as JSON, or null.
func (r *Resolver) Manifest(ctx context.Context, args struct{ Channel string }) (*string, error) {
	res, err := r.store.API().KV.Namespaces.Values.Get(ctx, r.store.NamespaceID(), fleet.ManifestKey(args.Channel), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.store.AccountID()),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) > 0 { // EXPECT kvnull
		m := string(raw)
		return &m, nil
	}
	return nil, nil
}
