package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/fleetwire/snipe/internal/commands"
	"github.com/fleetwire/snipe/internal/config"
	"github.com/fleetwire/snipe/internal/fleet"
	"github.com/fleetwire/snipe/internal/kvstore"
)

// Scheduler queues background work.
type Scheduler interface {
	ScheduleRolloutStep(ctx context.Context, rolloutID string, batch int) error
	ScheduleProvisionFollowup(ctx context.Context, device string) error
}

// Resolver is the root resolver for queries and mutations.
type Resolver struct {
	store     *kvstore.Store
	cfg       *config.Config
	scheduler Scheduler
	log       *slog.Logger
}

// NewResolver returns the root resolver.
func NewResolver(store *kvstore.Store, cfg *config.Config, scheduler Scheduler, log *slog.Logger) *Resolver {
	return &Resolver{store: store, cfg: cfg, scheduler: scheduler, log: log}
}

// ---- queries ----

func (r *Resolver) Device(ctx context.Context, args struct{ ID graphql.ID }) (*deviceResolver, error) {
	var d fleet.Device
	if err := r.store.GetJSON(ctx, fleet.DeviceKey(string(args.ID)), &d); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	return &deviceResolver{r: r, d: d}, nil
}

type devicesArgs struct {
	Cohort string
	After  *string
	First  *int32
}

// Devices returns one page of a cohort. Cohort membership keys carry the
// device summary as metadata, so no value reads are needed.
func (r *Resolver) Devices(ctx context.Context, args devicesArgs) (*devicePageResolver, error) {
	limit := 100
	if args.First != nil {
		limit = max(10, min(int(*args.First), 1000))
	}
	cursor := ""
	if args.After != nil {
		cursor = *args.After
	}
	page, err := r.store.ListPage(ctx, fleet.CohortPrefix(args.Cohort), cursor, limit)
	if err != nil {
		return nil, err
	}
	out := &devicePageResolver{}
	for _, k := range page.Keys {
		meta, _ := k.Metadata.(map[string]any)
		d := fleet.Device{ID: k.Name[len(fleet.CohortPrefix(args.Cohort)):]}
		d.Name, _ = meta["name"].(string)
		d.Model, _ = meta["model"].(string)
		d.Serial, _ = meta["serial"].(string)
		out.devices = append(out.devices, &deviceResolver{r: r, d: d})
	}
	if !page.Done() {
		out.cursor = &page.Cursor
	}
	return out, nil
}

// OperatorSessions lists an operator's signed-in sessions for the security page.
func (r *Resolver) OperatorSessions(ctx context.Context, args struct{ Operator string }) ([]*sessionResolver, error) {
	var out []*sessionResolver
	cursor := ""
	for range r.cfg.Sessions.MaxPages {
		page, err := r.store.ListPage(ctx, fleet.OpSessionPrefix(args.Operator), cursor, r.cfg.Sessions.ListPageSize)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			var s fleet.OperatorSession
			if err := r.store.GetJSON(ctx, k.Name, &s); err != nil { // EXPECT kvlist
				if errors.Is(err, kvstore.ErrNotFound) {
					continue
				}
				return nil, err
			}
			out = append(out, &sessionResolver{s})
		}
		if page.Done() {
			break
		}
		cursor = page.Cursor
	}
	return out, nil
}

// ---- mutations ----

type registerDeviceInput struct {
	Serial string
	Name   string
	Model  string
	Tenant string
	Cohort string
}

// RegisterDevice claims the serial number and creates the device record.
func (r *Resolver) RegisterDevice(ctx context.Context, args struct{ Input registerDeviceInput }) (*deviceResolver, error) {
	in := args.Input
	if in.Serial == "" {
		return nil, errors.New("serial is required")
	}
	if _, err := r.store.Get(ctx, fleet.SerialKey(in.Serial)); err == nil {
		return nil, fmt.Errorf("serial %s is already registered", in.Serial)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	d := fleet.Device{
		ID:           fleet.NewID(),
		Serial:       in.Serial,
		Name:         in.Name,
		Model:        in.Model,
		Tenant:       in.Tenant,
		RegisteredAt: time.Now().UTC(),
	}
	if err := r.store.Put(ctx, fleet.SerialKey(in.Serial), []byte(d.ID), 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	if err := r.store.PutJSON(ctx, fleet.DeviceKey(d.ID), d, 0); err != nil {
		return nil, err
	}
	meta := map[string]any{"name": d.Name, "model": d.Model, "serial": d.Serial}
	if err := r.store.PutWithMetadata(ctx, fleet.CohortPrefix(in.Cohort)+d.ID, nil, meta, 0); err != nil {
		return nil, err
	}
	return &deviceResolver{r: r, d: d}, nil
}

// IssueProvisioningToken mints the one-time token an installer types into
// a new device.
func (r *Resolver) IssueProvisioningToken(ctx context.Context, args struct{ DeviceID graphql.ID }) (string, error) {
	tok := fleet.NewID()
	if err := r.store.Put(ctx, fleet.ProvTokenKey(tok), []byte(args.DeviceID), r.cfg.Provisioning.TokenTTL); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return tok, r.scheduler.ScheduleProvisionFollowup(ctx, string(args.DeviceID))
}

// RotateDeviceSecret replaces the device's shared secret and returns the new
// one once.
func (r *Resolver) RotateDeviceSecret(ctx context.Context, args struct{ DeviceID graphql.ID }) (string, error) {
	secret := fleet.NewID() + fleet.NewID()
	sum := sha256.Sum256([]byte(secret))
	if err := r.store.Put(ctx, fleet.DeviceTokenKey(string(args.DeviceID)), []byte(hex.EncodeToString(sum[:])), 0); err != nil { // EXPECT kvsession
		return "", err
	}
	return secret, nil
}

type startRolloutArgs struct {
	Firmware  string
	Cohort    string
	BatchSize int32
}

func (r *Resolver) StartRollout(ctx context.Context, args startRolloutArgs) (*rolloutResolver, error) {
	ro := fleet.Rollout{
		ID:        fleet.NewID(),
		Firmware:  args.Firmware,
		Cohort:    args.Cohort,
		State:     fleet.RolloutActive,
		BatchSize: int(args.BatchSize),
		Devices:   map[string]string{},
		UpdatedAt: time.Now().UTC(),
	}
	if err := r.store.PutJSON(ctx, fleet.RolloutKey(ro.ID), ro, 0); err != nil {
		return nil, err
	}
	var ids []string
	indexKey := fleet.RolloutIndexKey(args.Cohort)
	if err := r.store.GetJSON(ctx, indexKey, &ids); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	ids = append(ids, ro.ID)
	if err := r.store.PutJSON(ctx, indexKey, ids, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	if err := r.scheduler.ScheduleRolloutStep(ctx, ro.ID, 0); err != nil {
		return nil, err
	}
	return &rolloutResolver{ro}, nil
}

func (r *Resolver) PauseRollout(ctx context.Context, args struct{ ID graphql.ID }) (*rolloutResolver, error) {
	key := fleet.RolloutKey(string(args.ID))
	var ro fleet.Rollout
	if err := r.store.GetJSON(ctx, key, &ro); err != nil {
		return nil, err
	}
	if ro.State == fleet.RolloutFinished {
		return &rolloutResolver{ro}, nil
	}
	ro.State = fleet.RolloutPaused
	ro.UpdatedAt = time.Now().UTC()
	if err := r.store.PutJSON(ctx, key, ro, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &rolloutResolver{ro}, nil
}

type enqueueArgs struct {
	DeviceID graphql.ID
	Name     string
	Args     *string
}

func (r *Resolver) EnqueueCommand(ctx context.Context, args enqueueArgs) (int32, error) {
	var a string
	if args.Args != nil {
		a = *args.Args
	}
	n, err := commands.Enqueue(ctx, r.store, string(args.DeviceID), args.Name, a)
	return int32(n), err
}

type logoutArgs struct {
	Operator  string
	SessionID graphql.ID
}

// Logout ends one console session.
func (r *Resolver) Logout(ctx context.Context, args logoutArgs) (bool, error) {
	if err := r.store.Delete(ctx, fleet.OpSessionKey(args.Operator, string(args.SessionID))); err != nil { // EXPECT kvsession
		return false, err
	}
	r.log.InfoContext(ctx, "operator signed out", "operator", args.Operator)
	return true, nil
}

// ---- field resolvers ----

type deviceResolver struct {
	r *Resolver
	d fleet.Device
}

func (d *deviceResolver) ID() graphql.ID { return graphql.ID(d.d.ID) }
func (d *deviceResolver) Serial() string { return d.d.Serial }
func (d *deviceResolver) Name() string   { return d.d.Name }
func (d *deviceResolver) Model() string  { return d.d.Model }

// Firmware is the build the device is targeted at, if any.
func (d *deviceResolver) Firmware(ctx context.Context) (*string, error) {
	raw, err := d.r.store.Get(ctx, fleet.TargetKey(d.d.ID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	fw := string(raw)
	return &fw, nil
}

type devicePageResolver struct {
	devices []*deviceResolver
	cursor  *string
}

func (p *devicePageResolver) Devices() []*deviceResolver { return p.devices }
func (p *devicePageResolver) Cursor() *string            { return p.cursor }

type rolloutResolver struct{ ro fleet.Rollout }

func (r *rolloutResolver) ID() graphql.ID   { return graphql.ID(r.ro.ID) }
func (r *rolloutResolver) Firmware() string { return r.ro.Firmware }
func (r *rolloutResolver) Cohort() string   { return r.ro.Cohort }
func (r *rolloutResolver) State() string    { return string(r.ro.State) }

type sessionResolver struct{ s fleet.OperatorSession }

func (s *sessionResolver) ID() graphql.ID   { return graphql.ID(s.s.ID) }
func (s *sessionResolver) Role() string     { return s.s.Role }
func (s *sessionResolver) LastSeen() string { return s.s.LastSeen.Format(time.RFC3339) }
