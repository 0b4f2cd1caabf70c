package cfsdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	cfkv "github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/shared"
)

// ErrSlugTaken is returned when a tracking slug already belongs to a parcel.
var ErrSlugTaken = errors.New("tracking slug already taken")

// Publisher writes the documents behind the public tracking pages. It is a
// value type: copies share the underlying client.
type Publisher struct {
	ns Namespace
}

// NewPublisher returns a Publisher on ns.
func NewPublisher(ns Namespace) Publisher { return Publisher{ns: ns} }

func (p Publisher) update(value []byte) cfkv.NamespaceValueUpdateParams {
	return cfkv.NamespaceValueUpdateParams{AccountID: cloudflare.F(p.ns.accountID), Value: cloudflare.F(string(value))}
}

// ClaimSlug reserves the short code printed on a label for parcelID.
func (p Publisher) ClaimSlug(ctx context.Context, slug, parcelID string) error {
	key := "slug:" + slug
	resp, err := p.ns.values().Get(ctx, p.ns.id, key, p.ns.account())
	if err == nil {
		resp.Body.Close()
		return ErrSlugTaken
	}
	if !isNotFound(err) {
		return err
	}
	_, err = p.ns.values().Update(ctx, p.ns.id, key, p.update([]byte(parcelID))) // EXPECT kvrace
	return err
}

// SharePreview publishes the preview the courier app shows as a QR code at
// the door, so the recipient can confirm the parcel on their own phone.
func (p Publisher) SharePreview(ctx context.Context, token string, page []byte) error {
	params := p.update(page)
	params.Expiration = cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())) // EXPECT kvttl
	_, err := p.ns.values().Update(ctx, p.ns.id, "preview:"+token, params)
	return err
}

const bulkGetMax = 100

// Statuses returns the current status line of each slug.
func (p Publisher) Statuses(ctx context.Context, slugs []string) (map[string]string, error) {
	out := make(map[string]string, len(slugs))
	for start := 0; start < len(slugs); start += bulkGetMax {
		chunk := slugs[start:min(start+bulkGetMax, len(slugs))]
		keys := make([]string, len(chunk))
		for i, s := range chunk {
			keys[i] = "status:" + s
		}
		res, err := p.ns.client.KV.Namespaces.BulkGet(ctx, p.ns.id, cfkv.NamespaceBulkGetParams{AccountID: cloudflare.F(p.ns.accountID), Keys: cloudflare.F(keys), Type: cloudflare.F(cfkv.NamespaceBulkGetParamsTypeText)})
		if err != nil {
			return nil, err
		}
		collect(res, out)
	}
	return out, nil
}

func collect(res *cfkv.NamespaceBulkGetResponse, into map[string]string) {
	if r, ok := res.AsUnion().(cfkv.NamespaceBulkGetResponseWorkersKVBulkGetResult); ok {
		for k, v := range r.Values {
			if s, ok := v.(shared.UnionString); ok {
				into[k] = string(s)
			}
		}
	}
}

// WeekHeatmap reads the hourly scan snapshots of a depot for one week.
func (p Publisher) WeekHeatmap(ctx context.Context, depotID string, weekStart time.Time) (map[string]string, error) {
	keys := make([]string, 0, 7*24)
	for h := range 7 * 24 {
		keys = append(keys, "heat:"+depotID+":"+weekStart.Add(time.Duration(h)*time.Hour).Format("2006010215"))
	}
	res, err := p.ns.client.KV.Namespaces.BulkGet(ctx, p.ns.id, cfkv.NamespaceBulkGetParams{AccountID: cloudflare.F(p.ns.accountID), Keys: cloudflare.F(keys)}) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	collect(res, out)
	return out, nil
}

// StopETA is one stop's estimated arrival.
type StopETA struct {
	Stop string    `json:"stop"`
	ETA  time.Time `json:"eta"`
}

// StreamRouteProgress rewrites the route's live document as the optimiser
// walks the stops, so the dispatcher map follows along.
func (p Publisher) StreamRouteProgress(ctx context.Context, routeID string, etas []StopETA) error {
	done := make([]StopETA, 0, len(etas))
	for _, e := range etas {
		done = append(done, e)
		doc, _ := json.Marshal(done)
		if _, err := p.ns.values().Update(ctx, p.ns.id, "route-live:"+routeID, p.update(doc)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// ETAWindowMinutes is the operator-set width of the ETA window for a route.
func (p Publisher) ETAWindowMinutes(ctx context.Context, routeID string) (int, error) {
	resp, _ := p.ns.values().Get(ctx, p.ns.id, "eta-window:"+routeID, p.ns.account()) // EXPECT kvnull
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(string(body))
	if err != nil {
		return 0, fmt.Errorf("eta window for %s: %w", routeID, err)
	}
	return n, nil
}
