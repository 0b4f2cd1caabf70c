package tracking

import (
	"context"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"sora/internal/httpx"
)

// customsNotice is the summary shown in the list view of the edge notice
// board for international parcels.
const customsNotice = "International parcels may be held by the customs authority of the destination country " +
	"for inspection. While a parcel is held, tracking events may not be updated for several days and the " +
	"estimated delivery date shown on this page is provisional. Duties and import taxes are calculated by the " +
	"destination authority and are payable by the recipient unless the sender chose delivered-duty-paid at " +
	"booking. If duties are due, the recipient will receive a payment request by e-mail or SMS from the local " +
	"delivery partner; parcels with unpaid duties are returned to the sender after twenty-one days. Restricted " +
	"items (lithium batteries shipped without equipment, aerosols, perfumes containing alcohol, fresh food, " +
	"plants and seeds) can be seized or destroyed without compensation. For parcels to the United Kingdom, " +
	"Norway and Switzerland, the sender must supply a commercial invoice with an HS code for every line item; " +
	"parcels without complete paperwork are held at the export hub until the sender supplies it. Questions " +
	"about a held parcel should be sent to the sender first, who can open a trace with us from their account."

const customsNoticeHTML = `<section class="notice notice-customs"><h2>Customs</h2><p>` + customsNotice + `</p></section>`

// PublishCustomsNotice writes the customs notice that tracking pages embed.
func PublishCustomsNotice(ctx context.Context) error {
	pair := &cf.WorkersKVPair{
		Key:      store.Key("notice:customs"),
		Value:    customsNoticeHTML,
		Metadata: map[string]string{"kind": "customs", "summary": customsNotice}, // EXPECT kvlimits
	}
	_, err := store.WriteWorkersKVEntries(ctx, store.Account, cf.WriteWorkersKVEntriesParams{NamespaceID: store.ID, KVs: []*cf.WorkersKVPair{pair}})
	return err
}

// NoticeRequest publishes a service notice (weather, strikes, depot closures)
// for one delivery region until a given time.
type NoticeRequest struct {
	Region  string    `json:"region"`
	Message string    `json:"message"`
	Until   time.Time `json:"until"`
}

// PublishNotice writes a regional notice that disappears on its own.
func PublishNotice(ctx context.Context, req NoticeRequest) (struct{}, error) {
	if time.Until(req.Until) < 10*time.Minute {
		return struct{}{}, httpx.BadRequest("notices must run for at least ten minutes")
	}
	pair := &cf.WorkersKVPair{
		Key:        store.Key("notice:" + req.Region),
		Value:      req.Message,
		Expiration: int(req.Until.UnixMilli()), // EXPECT kvttl
		Metadata:   map[string]string{"kind": "regional"},
	}
	_, err := store.WriteWorkersKVEntries(ctx, store.Account, cf.WriteWorkersKVEntriesParams{NamespaceID: store.ID, KVs: []*cf.WorkersKVPair{pair}})
	return struct{}{}, err
}

// ExtendNotice moves the end of a regional notice.
func ExtendNotice(ctx context.Context, req NoticeRequest) (struct{}, error) {
	if time.Until(req.Until) < 10*time.Minute {
		return struct{}{}, httpx.BadRequest("notices must run for at least ten minutes")
	}
	pair := &cf.WorkersKVPair{
		Key:        store.Key("notice:" + req.Region),
		Value:      req.Message,
		Expiration: int(req.Until.Unix()),
		Metadata:   map[string]string{"kind": "regional"},
	}
	_, err := store.WriteWorkersKVEntries(ctx, store.Account, cf.WriteWorkersKVEntriesParams{NamespaceID: store.ID, KVs: []*cf.WorkersKVPair{pair}})
	return struct{}{}, err
}
