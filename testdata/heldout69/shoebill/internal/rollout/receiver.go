// Package rollout tracks firmware rollouts. The release pipeline emits
// CloudEvents (io.shoebill.rollout.*) to this receiver; devices' update
// agents emit io.shoebill.rollout.device-updated through the MQTT bridge.
package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/protocol"
	"github.com/cloudflare/cloudflare-go"

	"github.com/shoebill-iot/shoebill/internal/fleet"
	"github.com/shoebill-iot/shoebill/internal/kvstore"
)

// Event types handled by Receiver.
const (
	TypeStarted       = "io.shoebill.rollout.started"
	TypeWave          = "io.shoebill.rollout.wave"
	TypeDeviceUpdated = "io.shoebill.rollout.device-updated"
	TypePaused        = "io.shoebill.rollout.paused"
	TypeCanaryFailed  = "io.shoebill.rollout.canary-failed"
	TypeFinished      = "io.shoebill.rollout.finished"
	TypeStatusQuery   = "io.shoebill.rollout.status.query"
	TypeStatusReply   = "io.shoebill.rollout.status"
)

const (
	retention      = 14 * 24 * time.Hour
	holdGrace      = 45 * time.Second
	canaryCooldown = 20
	cleanupPages   = 20
)

// Receiver handles rollout events.
type Receiver struct {
	KV  *kvstore.Store
	Log *slog.Logger
}

// Handle is passed to client.StartReceiver.
func (r *Receiver) Handle(ctx context.Context, e event.Event) protocol.Result {
	var err error
	switch e.Type() {
	case TypeStarted:
		err = r.started(ctx, e)
	case TypeWave:
		err = r.wave(ctx, e)
	case TypeDeviceUpdated:
		err = r.deviceUpdated(ctx, e)
	case TypePaused:
		err = r.paused(ctx, e)
	case TypeCanaryFailed:
		err = r.canaryFailed(ctx, e)
	case TypeFinished:
		err = r.finished(ctx, e)
	default:
		r.Log.Debug("ignoring event", "type", e.Type(), "id", e.ID())
		return cloudevents.ResultACK
	}
	var bad *json.SyntaxError
	if errors.As(err, &bad) {
		return cloudevents.NewHTTPResult(http.StatusBadRequest, "event %s: %v", e.ID(), err)
	}
	if err != nil {
		return cloudevents.NewHTTPResult(http.StatusServiceUnavailable, "event %s: %v", e.ID(), err)
	}
	return cloudevents.ResultACK
}

func rolloutID(e event.Event) string {
	if id, ok := e.Extensions()["rolloutid"].(string); ok && id != "" {
		return id
	}
	return e.Subject()
}

func (r *Receiver) started(ctx context.Context, e event.Event) error {
	var ro fleet.Rollout
	if err := e.DataAs(&ro); err != nil {
		return err
	}
	if ro.ID == "" {
		ro.ID = rolloutID(e)
	}
	raw, _ := json.Marshal(ro)
	return r.KV.PutMany(ctx, []*kvstore.Pair{{
		Key:        fleet.RolloutKey(ro.ID),
		Value:      string(raw),
		Expiration: int(ro.Deadline.Add(retention).Unix()),
		Metadata:   map[string]string{"model": ro.Model, "version": ro.Version},
	}})
}

func (r *Receiver) load(ctx context.Context, id string) (fleet.Rollout, error) {
	var ro fleet.Rollout
	raw, err := r.KV.Get(ctx, fleet.RolloutKey(id))
	if err != nil {
		return ro, err
	}
	return ro, json.Unmarshal(raw, &ro)
}

func (r *Receiver) wave(ctx context.Context, e event.Event) error {
	var w struct {
		Wave    int      `json:"wave"`
		Devices []string `json:"devices"`
	}
	if err := e.DataAs(&w); err != nil {
		return err
	}
	id := rolloutID(e)
	ro, err := r.load(ctx, id)
	if err != nil {
		return err
	}
	for i, dev := range w.Devices {
		state, _ := json.Marshal(map[string]any{"wave": w.Wave, "state": "scheduled", "version": ro.Version})
		if err := r.KV.PutTTL(ctx, fleet.RolloutDeviceKey(id, dev), state, retention); err != nil {
			return err
		}
		status := fmt.Sprintf(`{"wave":%d,"scheduled":%d,"total":%d}`, w.Wave, i+1, len(w.Devices))
		if err := r.KV.Put(ctx, fleet.RolloutStatusKey(id), []byte(status)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

func (r *Receiver) deviceUpdated(ctx context.Context, e event.Event) error {
	var upd struct {
		DeviceID string `json:"device_id"`
		Result   string `json:"result"`
		Version  string `json:"version"`
	}
	if err := e.DataAs(&upd); err != nil {
		return err
	}
	id := rolloutID(e)
	ro, err := r.load(ctx, id)
	if err != nil {
		return err
	}
	state, _ := json.Marshal(map[string]any{"state": upd.Result, "version": upd.Version, "event": e.ID()})
	if err := r.KV.PutMany(ctx, []*kvstore.Pair{{
		Key:        fleet.RolloutDeviceKey(id, upd.DeviceID),
		Value:      string(state),
		Expiration: int(ro.Deadline.Add(retention).UnixMilli()), // EXPECT kvttl
	}}); err != nil {
		return err
	}
	if upd.Result != "ok" {
		return nil
	}
	done := 0
	if raw, ok, err := r.KV.Lookup(ctx, fleet.RolloutDoneKey(id)); err != nil {
		return err
	} else if ok {
		done, _ = strconv.Atoi(string(raw))
	}
	done++
	return r.KV.Put(ctx, fleet.RolloutDoneKey(id), []byte(strconv.Itoa(done))) // EXPECT kvcounter|kvrace
}

func (r *Receiver) paused(ctx context.Context, e event.Event) error {
	id := rolloutID(e)
	reason := "operator"
	if v, ok := e.Extensions()["reason"].(string); ok {
		reason = v
	}
	_, err := r.KV.API.WriteWorkersKVEntries(ctx, r.KV.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: r.KV.NS,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        fleet.RolloutHoldKey(id),
			Value:      reason,
			Expiration: int(time.Now().Add(holdGrace).Unix()), // EXPECT kvttl
		}},
	})
	return err
}

func (r *Receiver) canaryFailed(ctx context.Context, e event.Event) error {
	id := rolloutID(e)
	hold := &cloudflare.WorkersKVPair{Key: fleet.RolloutHoldKey(id), Value: "canary:" + e.ID()}
	if secs, err := strconv.Atoi(fmt.Sprint(e.Extensions()["holdseconds"])); err == nil && secs >= 60 {
		hold.ExpirationTTL = secs
	} else {
		hold.Expiration = int(time.Now().Unix() + canaryCooldown) // EXPECT kvttl
	}
	_, err := r.KV.API.WriteWorkersKVEntries(ctx, r.KV.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: r.KV.NS,
		KVs:         []*cloudflare.WorkersKVPair{hold},
	})
	return err
}

// finished drops the per-device records of a rollout. It works through at
// most cleanupPages pages per event; the release pipeline re-sends the event
// while the reply says more remain.
func (r *Receiver) finished(ctx context.Context, e event.Event) error {
	id := rolloutID(e)
	prefix := fleet.RolloutKey(id) + "/dev/"
	cursor := ""
	for range cleanupPages {
		keys, next, err := r.KV.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(keys))
		for _, k := range keys {
			names = append(names, k.Name)
		}
		if len(names) > 0 {
			if _, err := r.KV.API.DeleteWorkersKVEntries(ctx, r.KV.RC, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: r.KV.NS, Keys: names}); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	r.Log.Info("rollout cleanup continues on next event", "rollout", id)
	return nil
}
