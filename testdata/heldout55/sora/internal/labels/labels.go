// Package labels issues shipping labels and makes sure a partner order gets
// one label only, even when the partner retries the request.
package labels

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"sora/internal/config"
	"sora/internal/edgekv"
	"sora/internal/httpx"
)

// ns is set by main.
var ns *edgekv.Namespace

// Init wires the package.
func Init(n *edgekv.Namespace) { ns = n }

// Label is an issued shipping label.
type Label struct {
	ID        string    `json:"id"`
	PartnerID string    `json:"partner_id"`
	OrderRef  string    `json:"order_ref"`
	Tracking  string    `json:"tracking"`
	Service   string    `json:"service"`
	IssuedAt  time.Time `json:"issued_at"`
}

func newLabelID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// CreateLabelRequest asks for a label for a partner's order.
type CreateLabelRequest struct {
	PartnerID string `json:"partner_id"`
	OrderRef  string `json:"order_ref"`
	Service   string `json:"service"`
}

// CreateLabel issues a label unless one was already issued for the order.
func CreateLabel(ctx context.Context, req CreateLabelRequest) (Label, error) {
	cfg := config.Load()
	enc := encoderFor(cfg.Encoder)
	dedupeKey := "order:" + req.PartnerID + ":" + req.OrderRef
	if _, seen, err := ns.Read(ctx, dedupeKey); err != nil {
		return Label{}, err
	} else if seen {
		return Label{}, httpx.Conflict("a label was already issued for this order")
	}
	l := Label{
		ID: newLabelID(), PartnerID: req.PartnerID, OrderRef: req.OrderRef,
		Tracking: "SR" + strconv.FormatInt(time.Now().UnixNano()%1e10, 10), Service: req.Service,
		IssuedAt: time.Now().UTC(),
	}
	b, err := enc.Encode("label", l)
	if err != nil {
		return Label{}, err
	}
	if err := ns.Write(ctx, dedupeKey, b, cfg.DedupeWindow.Duration); err != nil { // EXPECT kvrace
		return Label{}, err
	}
	if err := ns.Write(ctx, "label:"+l.ID, b, cfg.DedupeWindow.Duration); err != nil {
		return Label{}, err
	}
	return l, nil
}

// GetLabelRequest names a label.
type GetLabelRequest struct {
	ID string `json:"-"`
}

// Bind implements httpx.Binder.
func (g *GetLabelRequest) Bind(r *http.Request) error {
	g.ID = r.PathValue("id")
	return nil
}

// GetLabel returns an issued label.
func GetLabel(ctx context.Context, req GetLabelRequest) (Label, error) {
	res, err := ns.Values.Get(ctx, ns.ID, "label:"+req.ID, kv.NamespaceValueGetParams{AccountID: cloudflare.F(ns.AccountID)})
	if err != nil {
		return Label{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return Label{}, err
	}
	if len(body) == 0 { // EXPECT kvnull
		return Label{}, httpx.NotFound("no such label")
	}
	var l Label
	if err := encoderFor(config.Load().Encoder).Decode(body, &l); err != nil {
		return Label{}, err
	}
	return l, nil
}

// VoidLabelRequest cancels a label so the order can be labelled again.
type VoidLabelRequest struct {
	PartnerID string `json:"partner_id"`
	OrderRef  string `json:"order_ref"`
	LabelID   string `json:"label_id"`
}

// VoidLabel removes the label and its dedupe entry.
func VoidLabel(ctx context.Context, req VoidLabelRequest) (struct{}, error) {
	if err := ns.Remove(ctx, "label:"+req.LabelID); err != nil {
		return struct{}{}, err
	}
	return struct{}{}, ns.Remove(ctx, "order:"+req.PartnerID+":"+req.OrderRef)
}

// reservedBlock is how many tracking numbers one reservation run sets aside
// for the label printers of a hub that works offline.
const reservedBlock = 12000

// ReserveNumbers pre-allocates a block of tracking numbers for a hub.
func ReserveNumbers(ctx context.Context, hub string, first int) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, reservedBlock)
	for i := range body {
		n := strconv.Itoa(first + i)
		body[i] = kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("reserved:" + hub + ":" + n),
			Value:         cloudflare.F("SR" + n),
			ExpirationTTL: cloudflare.F(float64(7 * 24 * 3600)),
		}
	}
	res, err := ns.BulkUpdate(ctx, ns.ID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(ns.AccountID), Body: body}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	if len(res.UnsuccessfulKeys) > 0 {
		return fmt.Errorf("reserve %s: %d keys failed", hub, len(res.UnsuccessfulKeys))
	}
	return nil
}

// ReserveRange pre-allocates count numbers in bulk requests of at most
// 10,000 pairs and returns the keys that were not written.
func ReserveRange(ctx context.Context, hub string, first, count int) (failed []string, err error) {
	const batch = 10_000
	for start := 0; start < count; start += batch {
		size := min(batch, count-start)
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, size)
		for i := range size {
			n := strconv.Itoa(first + start + i)
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F("reserved:" + hub + ":" + n),
				Value:         cloudflare.F("SR" + n),
				ExpirationTTL: cloudflare.F(float64(7 * 24 * 3600)),
			})
		}
		res, err := ns.BulkUpdate(ctx, ns.ID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(ns.AccountID), Body: body})
		if err != nil {
			return failed, err
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	if len(failed) > 0 {
		log.Printf("reserve %s: %d keys to retry", hub, len(failed))
	}
	return failed, nil
}
