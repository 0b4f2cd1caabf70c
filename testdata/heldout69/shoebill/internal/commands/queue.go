// Package commands keeps a small per-device queue of pending commands
// (reboot, rotate-logs, set-config...) that devices drain at check-in.
package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"
	dapr "github.com/dapr/go-sdk/client"
	"github.com/dapr/go-sdk/service/common"

	"github.com/shoebill-iot/shoebill/internal/fleet"
	"github.com/shoebill-iot/shoebill/internal/kvstore"
)

const (
	pubsub        = "fleet-pubsub"
	defaultExpiry = 24 * time.Hour
	pageSize      = 1000
)

// Queue exposes the command queue over Dapr.
type Queue struct {
	KV   *kvstore.Store
	Dapr dapr.Client
	Log  *slog.Logger
}

// Register wires the queue's handlers.
func (q *Queue) Register(s common.Service) error {
	return errors.Join(
		s.AddServiceInvocationHandler("commands/enqueue", q.Enqueue),
		s.AddServiceInvocationHandler("commands/pending", q.Pending),
		s.AddServiceInvocationHandler("commands/broadcast", q.Broadcast),
		s.AddTopicEventHandler(&common.Subscription{PubsubName: pubsub, Topic: "command.acked", Route: "/commands/acked"}, q.OnAck),
		s.AddBindingInvocationHandler("commands-sweep", q.Sweep),
	)
}

type enqueueRequest struct {
	DeviceID string         `json:"device_id"`
	Name     string         `json:"name"`
	Args     map[string]any `json:"args"`
	TTL      string         `json:"ttl"`
}

func (r enqueueRequest) command(now time.Time) fleet.Command {
	exp := defaultExpiry
	if d, err := time.ParseDuration(r.TTL); err == nil && d > 0 {
		exp = d
	}
	return fleet.Command{ID: fleet.NewID(), Name: r.Name, Args: r.Args, Issued: now, Expires: now.Add(exp)}
}

func (q *Queue) load(ctx context.Context, deviceID string) ([]fleet.Command, error) {
	raw, ok, err := q.KV.Lookup(ctx, fleet.CommandQueueKey(deviceID))
	if err != nil || !ok {
		return nil, err
	}
	var cmds []fleet.Command
	if err := json.Unmarshal(raw, &cmds); err != nil {
		return nil, fmt.Errorf("queue of %s: %w", deviceID, err)
	}
	return cmds, nil
}

// Enqueue appends one command to a device's queue.
func (q *Queue) Enqueue(ctx context.Context, in *common.InvocationEvent) (*common.Content, error) {
	var req enqueueRequest
	if err := json.Unmarshal(in.Data, &req); err != nil || req.DeviceID == "" {
		return nil, fmt.Errorf("%d: bad enqueue request", http.StatusBadRequest)
	}
	cmds, err := q.load(ctx, req.DeviceID)
	if err != nil {
		return nil, err
	}
	cmd := req.command(time.Now().UTC())
	cmds = append(cmds, cmd)
	raw, _ := json.Marshal(cmds)
	if err := q.KV.Put(ctx, fleet.CommandQueueKey(req.DeviceID), raw); err != nil { // EXPECT kvrace
		return nil, err
	}
	_ = q.Dapr.PublishEvent(ctx, pubsub, "command.queued", map[string]string{"device_id": req.DeviceID, "command_id": cmd.ID})
	out, _ := json.Marshal(cmd)
	return &common.Content{Data: out, ContentType: "application/json"}, nil
}

// OnAck removes an acknowledged command from the device's queue.
func (q *Queue) OnAck(ctx context.Context, e *common.TopicEvent) (retry bool, err error) {
	var ack struct {
		DeviceID  string `json:"device_id"`
		CommandID string `json:"command_id"`
	}
	if err := e.Struct(&ack); err != nil {
		return false, nil
	}
	cmds, err := q.load(ctx, ack.DeviceID)
	if err != nil {
		return true, err
	}
	kept := slices.DeleteFunc(cmds, func(c fleet.Command) bool { return c.ID == ack.CommandID })
	raw, _ := json.Marshal(kept)
	if err := q.KV.Put(ctx, fleet.CommandQueueKey(ack.DeviceID), raw); err != nil { // EXPECT kvrace
		return true, err
	}
	return false, nil
}

// Pending lists one page of devices that have a queue, for the console.
// The caller passes the cursor it got back to fetch the next page.
func (q *Queue) Pending(ctx context.Context, in *common.InvocationEvent) (*common.Content, error) {
	v, _ := url.ParseQuery(in.QueryString)
	limit, _ := strconv.Atoi(v.Get("limit"))
	limit = min(max(limit, 10), pageSize)
	keys, next, err := q.KV.Page(ctx, fleet.PrefixCmdQueue, v.Get("cursor"), limit)
	if err != nil {
		return nil, err
	}
	devices := make([]string, 0, len(keys))
	for _, k := range keys {
		devices = append(devices, k.Name[len(fleet.PrefixCmdQueue):])
	}
	out, _ := json.Marshal(map[string]any{"devices": devices, "cursor": next})
	return &common.Content{Data: out, ContentType: "application/json"}, nil
}

// Broadcast queues the same command for every device of a group.
func (q *Queue) Broadcast(ctx context.Context, in *common.InvocationEvent) (*common.Content, error) {
	var req struct {
		Group   string         `json:"group"`
		Devices []string       `json:"devices"`
		Name    string         `json:"name"`
		Args    map[string]any `json:"args"`
	}
	if err := json.Unmarshal(in.Data, &req); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	progressKey := "cmdgroup:" + req.Group + ":last"
	var errs []error
	for i, dev := range req.Devices {
		cmd := enqueueRequest{DeviceID: dev, Name: req.Name, Args: req.Args}.command(now)
		raw, _ := json.Marshal([]fleet.Command{cmd})
		if err := q.KV.PutTTL(ctx, fleet.CommandQueueKey(dev)+":bcast:"+cmd.ID, raw, defaultExpiry); err != nil {
			errs = append(errs, err)
			continue
		}
		mark, _ := json.Marshal(map[string]any{"device": dev, "index": i, "of": len(req.Devices)})
		if err := q.KV.Put(ctx, progressKey, mark); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	return &common.Content{ContentType: "text/plain", Data: []byte(fmt.Sprintf("queued %d", len(req.Devices)-len(errs)))}, errors.Join(errs...)
}

// Sweep is triggered by the "commands-sweep" cron binding. It drops expired
// commands from every queue.
func (q *Queue) Sweep(ctx context.Context, in *common.BindingEvent) ([]byte, error) {
	now := time.Now()
	params := cloudflare.ListWorkersKVsParams{NamespaceID: q.KV.NS, Prefix: fleet.PrefixCmdQueue, Limit: pageSize}
	swept := 0
	for {
		resp, err := q.KV.API.ListWorkersKVKeys(ctx, q.KV.RC, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			raw, err := q.KV.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var cmds []fleet.Command
			if json.Unmarshal(raw, &cmds) != nil {
				continue
			}
			live := slices.DeleteFunc(slices.Clone(cmds), func(c fleet.Command) bool {
				return !c.Expires.IsZero() && c.Expires.Before(now)
			})
			if len(live) == len(cmds) {
				continue
			}
			if len(live) == 0 {
				_ = q.KV.Delete(ctx, k.Name)
			} else {
				out, _ := json.Marshal(live)
				_ = q.KV.Put(ctx, k.Name, out) // EXPECT kvrace
			}
			swept += len(cmds) - len(live)
		}
		if resp.Cursor == "" {
			break
		}
		params.Cursor = resp.Cursor
	}
	q.Log.Info("command sweep", "dropped", swept)
	return []byte(strconv.Itoa(swept)), nil
}
