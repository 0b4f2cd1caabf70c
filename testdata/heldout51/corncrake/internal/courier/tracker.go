// Package courier tracks specimen pickups and transport. One goroutine owns
// all KV access for the tracker; HTTP handlers talk to it over a channel.
package courier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/corncrake/internal/kvstore"
	"example.com/corncrake/internal/kvstore/cfkv6"
)

// Scan is one barcode scan of a sample bag.
type Scan struct {
	At       time.Time `json:"at"`
	Courier  string    `json:"courier"`
	Location string    `json:"location"`
	Event    string    `json:"event"` // picked-up, in-transit, received, rejected
	TempC    float64   `json:"temp_c"`
}

// SampleStatus is the chain-of-custody record of a sample.
type SampleStatus struct {
	SampleID string `json:"sample_id"`
	State    string `json:"state"`
	History  []Scan `json:"history"`
}

// Ping is a courier's GPS fix.
type Ping struct {
	Courier string    `json:"courier"`
	Lat     float64   `json:"lat"`
	Lng     float64   `json:"lng"`
	At      time.Time `json:"at"`
}

type opKind int

const (
	opStatus opKind = iota
	opScan
	opPing
	opHold
	opClaim
)

type request struct {
	op       opKind
	region   string
	sampleID string
	scan     Scan
	ping     Ping
	closes   time.Time
	courier  string
	reply    chan reply
}

type reply struct {
	status kvstore.Optional[SampleStatus]
	err    error
}

// claimHoldSeconds is how long a courier's claim on a pickup job lasts before
// dispatch offers the job to someone else.
const claimHoldSeconds = 45

var (
	ErrClaimed        = errors.New("courier: job already claimed")
	ErrUnknownBarcode = errors.New("courier: unknown barcode")
)

// Tracker is the actor that owns the courier namespaces.
type Tracker struct {
	client      *cloudflare.Client
	account     string
	nsByRegion  map[string]string
	alertWindow time.Duration
	reqs        chan request
	log         *slog.Logger
}

// NewTracker returns a tracker; call Run to start it.
func NewTracker(client *cloudflare.Client, accountID string, nsByRegion map[string]string, alertWindow time.Duration, log *slog.Logger) *Tracker {
	return &Tracker{
		client:      client,
		account:     accountID,
		nsByRegion:  nsByRegion,
		alertWindow: alertWindow,
		reqs:        make(chan request),
		log:         log,
	}
}

// Run serves requests until ctx is done.
func (t *Tracker) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case req := <-t.reqs:
			req.reply <- t.handle(ctx, req)
		}
	}
}

func (t *Tracker) call(ctx context.Context, req request) reply {
	req.reply = make(chan reply, 1)
	select {
	case t.reqs <- req:
	case <-ctx.Done():
		return reply{err: ctx.Err()}
	}
	select {
	case r := <-req.reply:
		return r
	case <-ctx.Done():
		return reply{err: ctx.Err()}
	}
}

// Status returns a sample's custody record.
func (t *Tracker) Status(ctx context.Context, region, sampleID string) (kvstore.Optional[SampleStatus], error) {
	r := t.call(ctx, request{op: opStatus, region: region, sampleID: sampleID})
	return r.status, r.err
}

// RecordScan appends a scan to the sample's record.
func (t *Tracker) RecordScan(ctx context.Context, region, sampleID string, s Scan) error {
	return t.call(ctx, request{op: opScan, region: region, sampleID: sampleID, scan: s}).err
}

// ReportPing stores a courier's position for the dispatch map.
func (t *Tracker) ReportPing(ctx context.Context, region string, p Ping) error {
	return t.call(ctx, request{op: opPing, region: region, ping: p}).err
}

// HoldForPickup marks a sample as waiting until the pickup window closes.
func (t *Tracker) HoldForPickup(ctx context.Context, region, sampleID string, closes time.Time) error {
	return t.call(ctx, request{op: opHold, region: region, sampleID: sampleID, closes: closes}).err
}

// Claim gives a pickup job to a courier.
func (t *Tracker) Claim(ctx context.Context, region, jobID, courierID string) error {
	return t.call(ctx, request{op: opClaim, region: region, sampleID: jobID, courier: courierID}).err
}

func (t *Tracker) namespace(region string) (string, error) {
	ns, ok := t.nsByRegion[region]
	if !ok {
		return "", fmt.Errorf("courier: no namespace for region %q", region)
	}
	return ns, nil
}

func (t *Tracker) handle(ctx context.Context, req request) reply {
	ns, err := t.namespace(req.region)
	if err != nil {
		return reply{err: err}
	}
	switch req.op {
	case opStatus:
		st, err := t.readStatus(ctx, ns, req.sampleID)
		return reply{status: st, err: err}
	case opScan:
		return reply{err: t.recordScan(ctx, ns, req.sampleID, req.scan)}
	case opPing:
		raw, _ := json.Marshal(req.ping)
		_, err := t.client.KV.Namespaces.Values.Update(ctx, ns, "dispatch:last-ping", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(t.account),
			Value:     cloudflare.F(string(raw)),
		})
		return reply{err: err}
	case opHold:
		_, err := t.client.KV.Namespaces.Values.Update(ctx, ns, "pickup:"+req.sampleID, kv.NamespaceValueUpdateParams{
			AccountID:     cloudflare.F(t.account),
			Value:         cloudflare.F("waiting"),
			ExpirationTTL: cloudflare.F(time.Until(req.closes).Seconds()), // EXPECT kvttl
		})
		return reply{err: err}
	case opClaim:
		return reply{err: t.claim(ctx, ns, req.sampleID, req.courier)}
	}
	return reply{err: fmt.Errorf("courier: unknown op %d", req.op)}
}

func (t *Tracker) readStatus(ctx context.Context, ns, sampleID string) (kvstore.Optional[SampleStatus], error) {
	resp, err := t.client.KV.Namespaces.Values.Get(ctx, ns, "sample:"+sampleID, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(t.account),
	})
	if err != nil {
		if cfkv6.IsNotFound(err) {
			return kvstore.None[SampleStatus](), nil
		}
		return kvstore.None[SampleStatus](), err
	}
	defer resp.Body.Close()
	var st SampleStatus
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return kvstore.None[SampleStatus](), err
	}
	return kvstore.Some(st), nil
}

func (t *Tracker) recordScan(ctx context.Context, ns, sampleID string, s Scan) error {
	cur, err := t.readStatus(ctx, ns, sampleID)
	if err != nil {
		return err
	}
	st := cur.OrElse(SampleStatus{SampleID: sampleID})
	st.History = append(st.History, s)
	st.State = s.Event
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if _, err := t.client.KV.Namespaces.Values.Update(ctx, ns, "sample:"+sampleID, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(t.account),
		Value:     cloudflare.F(string(raw)),
	}); err != nil {
		return err
	}
	if s.TempC > 8 {
		return t.raiseTempAlert(ctx, ns, sampleID, s)
	}
	return nil
}

func (t *Tracker) raiseTempAlert(ctx context.Context, ns, sampleID string, s Scan) error {
	t.log.Warn("cold chain breach", "sample", sampleID, "temp_c", s.TempC, "courier", s.Courier)
	_, err := t.client.KV.Namespaces.Values.Update(ctx, ns, "alert:temp:"+sampleID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(t.account),
		Value:         cloudflare.F(fmt.Sprintf("%.1f", s.TempC)),
		ExpirationTTL: cloudflare.F(max(2*t.alertWindow, 3*time.Second).Seconds()), // EXPECT kvttl
	})
	return err
}

func (t *Tracker) claim(ctx context.Context, ns, jobID, courierID string) error {
	key := "claim:" + jobID
	resp, err := t.client.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(t.account)})
	switch {
	case err == nil:
		resp.Body.Close()
		return ErrClaimed
	case !cfkv6.IsNotFound(err):
		return err
	}
	_, err = t.client.KV.Namespaces.Values.Update(ctx, ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:     cloudflare.F(t.account),
		Value:         cloudflare.F(courierID),
		ExpirationTTL: cloudflare.F(float64(claimHoldSeconds)), // EXPECT kvttl
	})
	return err
}

// ExtendPickup pushes back a waiting sample's pickup window.
func (t *Tracker) ExtendPickup(ctx context.Context, region, sampleID string, closes time.Time) error {
	ns, err := t.namespace(region)
	if err != nil {
		return err
	}
	_, err = t.client.KV.Namespaces.Values.Update(ctx, ns, "pickup:"+sampleID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(t.account),
		Value:         cloudflare.F("waiting"),
		ExpirationTTL: cloudflare.F(max(time.Until(closes), time.Minute).Seconds()),
	})
	return err
}

// AnnounceArrival shows the "courier arriving" banner on the clinic's
// dashboard until shortly after the scheduled arrival.
func (t *Tracker) AnnounceArrival(ctx context.Context, region, clinicID, courierID string, eta time.Time) error {
	ns, err := t.namespace(region)
	if err != nil {
		return err
	}
	hideAt := eta.Add(15 * time.Minute)
	if floor := time.Now().Add(2 * time.Minute); hideAt.Before(floor) {
		hideAt = floor
	}
	_, err = t.client.KV.Namespaces.Values.Update(ctx, ns, "arrival:"+clinicID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(t.account),
		Value:      cloudflare.F(courierID + "@" + eta.Format(time.Kitchen)),
		Expiration: cloudflare.F(float64(hideAt.Unix())),
	})
	return err
}

// FlashNotice shows a short-lived notice on the courier app's home screen.
func (t *Tracker) FlashNotice(ctx context.Context, region, courierID, text string) error {
	ns, err := t.namespace(region)
	if err != nil {
		return err
	}
	_, err = t.client.KV.Namespaces.Values.Update(ctx, ns, "notice:"+courierID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(t.account),
		Value:      cloudflare.F(text),
		Expiration: cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
	})
	return err
}

// SyncHandheld uploads the scans a courier's handheld buffered while offline.
func (t *Tracker) SyncHandheld(ctx context.Context, region, sampleID string, scans []Scan) error {
	ns, err := t.namespace(region)
	if err != nil {
		return err
	}
	for _, sc := range scans {
		raw, _ := json.Marshal(sc)
		if _, err := t.client.KV.Namespaces.Values.Update(ctx, ns, fmt.Sprintf("scan:%s:%d", sampleID, sc.At.UnixNano()), kv.NamespaceValueUpdateParams{
			AccountID:     cloudflare.F(t.account),
			Value:         cloudflare.F(string(raw)),
			ExpirationTTL: cloudflare.F(float64(30 * 24 * 3600)),
		}); err != nil {
			return err
		}
		if _, err := t.client.KV.Namespaces.Values.Update(ctx, ns, "state:"+sampleID, kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(t.account),
			Value:     cloudflare.F(sc.Event),
		}); err != nil {
			return err
		}
	}
	return nil
}

// ImportManifest writes a day's pickup manifest in one bulk request.
func (t *Tracker) ImportManifest(ctx context.Context, region string, stops map[string]string) error {
	ns, err := t.namespace(region)
	if err != nil {
		return err
	}
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(stops))
	for sampleID, clinicID := range stops {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("stop:" + sampleID),
			Value:         cloudflare.F(clinicID),
			ExpirationTTL: cloudflare.F(float64(36 * 3600)),
		})
	}
	res, err := t.client.KV.Namespaces.BulkUpdate(ctx, ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(t.account),
		Body:      body,
	})
	if err != nil {
		return err
	}
	if len(res.UnsuccessfulKeys) > 0 {
		return fmt.Errorf("courier: %d manifest stops not written", len(res.UnsuccessfulKeys))
	}
	return nil
}

// LabelFor returns the printable label text for a tube barcode.
func (t *Tracker) LabelFor(ctx context.Context, region, barcode string) (string, error) {
	ns, err := t.namespace(region)
	if err != nil {
		return "", err
	}
	resp, err := t.client.KV.Namespaces.Values.Get(ctx, ns, "label:"+barcode, kv.NamespaceValueGetParams{AccountID: cloudflare.F(t.account)})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if len(body) == 0 { // EXPECT kvnull
		return "", ErrUnknownBarcode
	}
	return string(body), nil
}

// RefreshRoutes rewrites today's route table from the dispatch system on every
// tick until ctx is done.
func (t *Tracker) RefreshRoutes(ctx context.Context, every time.Duration, region string, load func(context.Context) ([]byte, error)) {
	ns, err := t.namespace(region)
	if err != nil {
		t.log.Error("route refresher disabled", "err", err)
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			routes, err := load(ctx)
			if err != nil {
				t.log.Warn("route refresh failed", "err", err)
				continue
			}
			if _, err := t.client.KV.Namespaces.Values.Update(ctx, ns, "routes:today", kv.NamespaceValueUpdateParams{
				AccountID:     cloudflare.F(t.account),
				Value:         cloudflare.F(string(routes)),
				ExpirationTTL: cloudflare.F((2 * every).Seconds()),
			}); err != nil {
				t.log.Warn("route table write failed", "err", err)
			}
		}
	}
}
