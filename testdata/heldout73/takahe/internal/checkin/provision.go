package checkin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/takahe-iot/takahe/internal/kvstore"
)

// factoryBatch is the number of serials in one production lot.
const factoryBatch = 12_000

// flashSize is the size of the erased flash image used for factory resets.
const flashSize = 32 << 20

// Lot describes a production lot of devices.
type Lot struct {
	Model  string
	Fleet  string
	Prefix string // serial prefix, e.g. "TKH-24A-"
}

// ImportLot registers every serial of a production lot so that devices can
// enroll on first boot.
func ImportLot(ctx context.Context, ns *kvstore.Namespace, lot Lot) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, factoryBatch)
	for i := range factoryBatch {
		serial := fmt.Sprintf("%s%05d", lot.Prefix, i)
		val, _ := json.Marshal(map[string]string{"model": lot.Model, "fleet": lot.Fleet})
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F("serial/" + serial),
			Value: cloudflare.F(string(val)),
		})
	}
	res, err := ns.Client.KV.Namespaces.BulkUpdate(ctx, ns.ID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(ns.AccountID), Body: body}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	if n := len(res.UnsuccessfulKeys); n > 0 {
		return fmt.Errorf("import lot %s: %d serials not written", lot.Prefix, n)
	}
	return nil
}

// ImportSerials registers an arbitrary list of serials, in bulk batches.
func ImportSerials(ctx context.Context, ns *kvstore.Namespace, lot Lot, serials []string) error {
	entries := make([]kvstore.Entry, 0, len(serials))
	for _, s := range serials {
		val, _ := json.Marshal(map[string]string{"model": lot.Model, "fleet": lot.Fleet})
		entries = append(entries, kvstore.Entry{Key: "serial/" + s, Value: val, Metadata: map[string]string{"model": lot.Model}})
	}
	return ns.PutMany(ctx, entries)
}

// StageFactoryImage stores the erased flash image for a model, served to
// devices that request a factory reset.
func StageFactoryImage(ctx context.Context, ns *kvstore.Namespace, model string) error {
	return ns.Put(ctx, "factory/"+model+"/erased.bin", bytes.Repeat([]byte{0xFF}, flashSize), 0) // EXPECT kvlimits
}
