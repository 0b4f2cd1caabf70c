// Package tracking owns shipment records and the public tracking pages that
// are published to the edge for recipients.
package tracking

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"sora/internal/config"
	"sora/internal/httpx"
	"sora/internal/kvstore"
)

// Store is the namespace tracking data lives in.
type Store = kvstore.Namespace

// store is set by main.
var store *Store

// Init wires the package to its namespace.
func Init(ns *Store) { store = ns }

// views holds per-shipment page view counts since process start.
var views sync.Map // number -> *atomic.Int64

// Event is one scan or status change.
type Event struct {
	Code  string    `json:"code"`
	Note  string    `json:"note,omitempty"`
	Depot string    `json:"depot,omitempty"`
	At    time.Time `json:"at"`
}

// Shipment is the stored shipment record.
type Shipment struct {
	Number      string     `json:"number"`
	PartnerID   string     `json:"partner_id"`
	Postcode    string     `json:"postcode"`
	Status      string     `json:"status"`
	ETA         time.Time  `json:"eta"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	Events      []Event    `json:"events"`
}

type pageMeta struct {
	Status string `json:"s"`
	ETA    int64  `json:"eta"`
}

var pageTmpl = template.Must(template.New("page").Parse(
	`<!doctype html><title>Parcel {{.Number}}</title><h1>{{.Status}}</h1>` +
		`<p>Expected {{.ETA.Format "Mon 2 Jan"}}</p><ol>{{range .Events}}<li>{{.At.Format "15:04"}} {{.Code}} {{.Note}}</li>{{end}}</ol>`))

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func render(s Shipment) (string, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := pageTmpl.Execute(buf, s); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func isNotFound(err error) bool {
	var nf *cf.NotFoundError
	return errors.As(err, &nf)
}

func loadShipment(ctx context.Context, key string) (Shipment, error) {
	var s Shipment
	raw, err := store.GetWorkersKV(ctx, store.Account, cf.GetWorkersKVParams{NamespaceID: store.ID, Key: key})
	if err != nil {
		if isNotFound(err) {
			return s, httpx.NotFound("unknown shipment")
		}
		return s, err
	}
	return s, json.Unmarshal(raw, &s)
}

// CreateShipmentRequest registers a new shipment.
type CreateShipmentRequest struct {
	PartnerID string    `json:"partner_id"`
	Number    string    `json:"number"`
	Postcode  string    `json:"postcode"`
	ETA       time.Time `json:"eta"`
}

// CreateShipment stores a new shipment record and publishes its page.
func CreateShipment(ctx context.Context, req CreateShipmentRequest) (Shipment, httpx.Followup, error) {
	s := Shipment{
		Number: req.Number, PartnerID: req.PartnerID, Postcode: req.Postcode,
		Status: "created", ETA: req.ETA,
		Events: []Event{{Code: "created", At: time.Now().UTC()}},
	}
	b, err := json.Marshal(s)
	if err != nil {
		return s, nil, err
	}
	key := store.Key(Scheme().ShipmentKey(req.PartnerID, req.Number))
	if _, err := store.WriteWorkersKVEntry(ctx, store.Account, cf.WriteWorkersKVEntryParams{NamespaceID: store.ID, Key: key, Value: b}); err != nil {
		return s, nil, err
	}
	return s, func(ctx context.Context) {
		if err := publish(ctx, s); err != nil {
			log.Printf("publish %s: %v", s.Number, err)
		}
	}, nil
}

// UpdateStatusRequest is a scan event from a courier handheld or a partner.
type UpdateStatusRequest struct {
	PartnerID string    `json:"partner_id"`
	Number    string    `json:"number"`
	Code      string    `json:"code"`
	Note      string    `json:"note"`
	Depot     string    `json:"depot"`
	At        time.Time `json:"at"`
}

// UpdateStatusResponse reports the new status.
type UpdateStatusResponse struct {
	Status string `json:"status"`
	Events int    `json:"events"`
}

// UpdateStatus appends a scan event to the shipment and republishes the
// tracking page once the caller has its answer.
func UpdateStatus(ctx context.Context, req UpdateStatusRequest) (UpdateStatusResponse, httpx.Followup, error) {
	key := store.Key(Scheme().ShipmentKey(req.PartnerID, req.Number))
	s, err := loadShipment(ctx, key)
	if err != nil {
		return UpdateStatusResponse{}, nil, err
	}
	if req.At.IsZero() {
		req.At = time.Now().UTC()
	}
	s.Events = append(s.Events, Event{Code: req.Code, Note: req.Note, Depot: req.Depot, At: req.At})
	s.Status = req.Code
	if req.Code == "delivered" {
		at := req.At
		s.DeliveredAt = &at
	}
	b, err := json.Marshal(s)
	if err != nil {
		return UpdateStatusResponse{}, nil, err
	}
	if _, err := store.WriteWorkersKVEntry(ctx, store.Account, cf.WriteWorkersKVEntryParams{NamespaceID: store.ID, Key: key, Value: b}); err != nil { // EXPECT kvrace
		return UpdateStatusResponse{}, nil, err
	}
	then := func(ctx context.Context) {
		if err := publish(ctx, s); err != nil {
			log.Printf("publish %s: %v", s.Number, err)
		}
		feed, _ := json.Marshal(struct {
			Number string    `json:"number"`
			Code   string    `json:"code"`
			At     time.Time `json:"at"`
		}{s.Number, req.Code, req.At})
		if err := store.Put(ctx, "feed:latest", feed, 0); err != nil { // EXPECT kvhotkey
			log.Printf("feed: %v", err)
		}
	}
	return UpdateStatusResponse{Status: s.Status, Events: len(s.Events)}, then, nil
}

// publish renders the shipment's page and writes it with its metadata so the
// edge can answer status-only requests from a list.
func publish(ctx context.Context, s Shipment) error {
	cfg := config.Load()
	html, err := render(s)
	if err != nil {
		return err
	}
	pair := &cf.WorkersKVPair{
		Key:      store.Key(Scheme().PageKey(s.PartnerID, s.Number)),
		Value:    html,
		Metadata: pageMeta{Status: s.Status, ETA: s.ETA.Unix()},
	}
	if s.DeliveredAt != nil {
		pair.Expiration = int(time.Now().Add(14 * 24 * time.Hour).Unix())
	} else {
		pair.ExpirationTTL = int(cfg.TrackingPageTTL.Duration().Seconds())
	}
	_, err = store.WriteWorkersKVEntries(ctx, store.Account, cf.WriteWorkersKVEntriesParams{NamespaceID: store.ID, KVs: []*cf.WorkersKVPair{pair}})
	return err
}

// GetPageRequest names a tracking page.
type GetPageRequest struct {
	PartnerID string `json:"-"`
	Number    string `json:"-"`
}

// Bind implements httpx.Binder.
func (r *GetPageRequest) Bind(hr *http.Request) error {
	r.PartnerID, r.Number = hr.PathValue("partner"), hr.PathValue("number")
	return nil
}

// PageResponse carries a rendered page.
type PageResponse struct {
	HTML string `json:"html"`
}

// GetPage serves the published tracking page (used by the origin fallback
// when the edge has nothing).
func GetPage(ctx context.Context, req GetPageRequest) (PageResponse, httpx.Followup, error) {
	key := store.Key(Scheme().PageKey(req.PartnerID, req.Number))
	raw, err := store.GetWorkersKV(ctx, store.Account, cf.GetWorkersKVParams{NamespaceID: store.ID, Key: key})
	if err != nil {
		return PageResponse{}, nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return PageResponse{}, nil, httpx.NotFound("no tracking page")
	}
	resp := PageResponse{HTML: string(raw)}
	if !config.Load().Features.RecordViews {
		return resp, nil, nil
	}
	number := req.Number
	return resp, func(ctx context.Context) {
		c, _ := views.LoadOrStore(number, new(atomic.Int64))
		n := c.(*atomic.Int64).Add(1)
		if err := store.Put(ctx, "views:"+number, []byte(strconv.FormatInt(n, 10)), 0); err != nil { // EXPECT kvcounter
			log.Printf("views %s: %v", number, err)
		}
	}, nil
}

// StatusRequest asks for the compact status of a shipment.
type StatusRequest struct {
	PartnerID string `json:"partner_id"`
	Number    string `json:"number"`
}

// StatusResponse is the compact status.
type StatusResponse struct {
	Number string    `json:"number"`
	Status string    `json:"status"`
	ETA    time.Time `json:"eta"`
}

// GetStatus answers from the status cache, filling it from the shipment
// record on a miss.
func GetStatus(ctx context.Context, req StatusRequest) (StatusResponse, error) {
	cfg := config.Load()
	cacheKey := "status:" + req.Number
	if raw, err := store.Get(ctx, cacheKey); err == nil {
		var sr StatusResponse
		if json.Unmarshal(raw, &sr) == nil {
			return sr, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return StatusResponse{}, err
	}
	s, err := loadShipment(ctx, store.Key(Scheme().ShipmentKey(req.PartnerID, req.Number)))
	if err != nil {
		return StatusResponse{}, err
	}
	sr := StatusResponse{Number: s.Number, Status: s.Status, ETA: s.ETA}
	b, _ := json.Marshal(sr)
	pair := &cf.WorkersKVPair{
		Key:           store.Key(cacheKey),
		Value:         string(b),
		ExpirationTTL: int(cfg.StatusCacheTTL.Duration), // EXPECT kvttl
	}
	if _, err := store.WriteWorkersKVEntries(ctx, store.Account, cf.WriteWorkersKVEntriesParams{NamespaceID: store.ID, KVs: []*cf.WorkersKVPair{pair}}); err != nil {
		log.Printf("status cache %s: %v", req.Number, err)
	}
	return sr, nil
}

// previewTTL is how long a draft tracking page preview link stays up;
// previews are regenerated on every edit in the partner dashboard.
const previewTTL = 30

// PreviewRequest renders a draft page for the partner dashboard.
type PreviewRequest struct {
	Shipment Shipment `json:"shipment"`
}

// PreviewResponse returns the preview key the dashboard iframe loads.
type PreviewResponse struct {
	PreviewID string `json:"preview_id"`
}

// PublishPreview writes a short-lived preview page.
func PublishPreview(ctx context.Context, req PreviewRequest) (PreviewResponse, error) {
	if !config.Load().Features.PublishPreview {
		return PreviewResponse{}, httpx.NotFound("previews are disabled")
	}
	html, err := render(req.Shipment)
	if err != nil {
		return PreviewResponse{}, err
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	pair := &cf.WorkersKVPair{Key: store.Key("preview:" + id), Value: html}
	pair.ExpirationTTL = previewTTL // EXPECT kvttl
	if _, err := store.WriteWorkersKVEntries(ctx, store.Account, cf.WriteWorkersKVEntriesParams{NamespaceID: store.ID, KVs: []*cf.WorkersKVPair{pair}}); err != nil {
		return PreviewResponse{}, err
	}
	return PreviewResponse{PreviewID: id}, nil
}

// RepublishAll re-renders the pages of the given shipments and reports the
// ones that failed.
func RepublishAll(ctx context.Context, partnerID string, numbers []string) map[string]error {
	failed := make(map[string]error)
	sch := Scheme()
	for _, n := range numbers {
		s, err := loadShipment(ctx, store.Key(sch.ShipmentKey(partnerID, n)))
		if err != nil {
			failed[n] = err
			continue
		}
		if err := publish(ctx, s); err != nil {
			failed[n] = fmt.Errorf("publish: %w", err)
		}
	}
	return failed
}
