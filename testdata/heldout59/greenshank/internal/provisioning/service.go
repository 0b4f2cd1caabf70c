// Package provisioning issues installer codes, redeems them into device
// records and keeps per-tenant API usage for billing.
package provisioning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"slices"
	"strconv"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/patrickmn/go-cache"
	"github.com/sourcegraph/conc/pool"

	"github.com/fleetgrid/greenshank/internal/cfkv"
	"github.com/fleetgrid/greenshank/internal/config"
	"github.com/fleetgrid/greenshank/internal/fleet"
)

var (
	ErrCodeInvalid = errors.New("provisioning code invalid or expired")
	ErrSerialTaken = errors.New("serial already provisioned")
	ErrNotFound    = errors.New("device not found")
	ErrTooManyTags = errors.New("too many tags")
)

const (
	deviceCacheFor  = time.Minute
	negativeFor     = 10 * time.Second
	usageRetention  = 40 * 24 * time.Hour
	issueFanOut     = 8
	flushTimeout    = 10 * time.Second
	installingValue = "installing"
)

// Service is shared by the HTTP handlers of cmd/fleetapi.
type Service struct {
	kv       *cfkv.Client
	cfg      config.API
	validate *validator.Validate
	devices  *cache.Cache
	usage    *cache.Cache
}

// NewService wires the caches. Usage entries expire after
// cfg.UsageFlushAfter, and their count is written to KV on eviction.
func NewService(kvc *cfkv.Client, cfg config.API, v *validator.Validate) *Service {
	s := &Service{
		kv:       kvc,
		cfg:      cfg,
		validate: v,
		devices:  cache.New(deviceCacheFor, 5*time.Minute),
		usage:    cache.New(cfg.UsageFlushAfter, 30*time.Second),
	}
	s.usage.OnEvicted(s.flushUsage)
	return s
}

// CountRequest records one API request of tenant.
func (s *Service) CountRequest(tenant string) {
	if _, err := s.usage.IncrementInt64(tenant, 1); err != nil {
		s.usage.SetDefault(tenant, int64(1))
	}
}

// flushUsage stores a tenant's request count of the current month for the
// billing export.
func (s *Service) flushUsage(tenant string, v any) {
	n, ok := v.(int64)
	if !ok || n == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	key := "quota:used:" + tenant + ":" + time.Now().UTC().Format("2006-01")
	if err := s.kv.Put(ctx, key, []byte(strconv.FormatInt(n, 10)), usageRetention); err != nil { // EXPECT kvcounter
		log.Printf("usage flush %s: %v", tenant, err)
	}
}

// IssueRequest asks for a batch of installer codes.
type IssueRequest struct {
	TenantID  string `json:"tenant_id" validate:"required,alphanum,max=32"`
	CreatedBy string `json:"created_by" validate:"required,email"`
	Count     int    `json:"count" validate:"gte=1,lte=50"`
}

// IssueCodes mints req.Count fresh codes that expire after
// cfg.ProvisionCodeTTL.
func (s *Service) IssueCodes(ctx context.Context, req IssueRequest) ([]fleet.ProvisioningCode, error) {
	if err := s.validate.Struct(req); err != nil {
		return nil, err
	}
	ttl := s.cfg.ProvisionCodeTTL
	p := pool.NewWithResults[fleet.ProvisioningCode]().WithContext(ctx).WithMaxGoroutines(issueFanOut)
	for range req.Count {
		p.Go(func(ctx context.Context) (fleet.ProvisioningCode, error) {
			pc := fleet.ProvisioningCode{
				Code:      fleet.NewCode(),
				TenantID:  req.TenantID,
				CreatedBy: req.CreatedBy,
				ExpiresAt: time.Now().Add(ttl).UTC(),
			}
			b, err := json.Marshal(pc)
			if err != nil {
				return pc, err
			}
			return pc, s.kv.Put(ctx, fleet.ProvCodeKey(pc.Code), b, ttl)
		})
	}
	return p.Wait()
}

// RedeemRequest is sent by the installer app.
type RedeemRequest struct {
	Code   string `json:"code" validate:"required,len=8,alphanum"`
	Serial string `json:"serial" validate:"required,max=40"`
	Model  string `json:"model" validate:"required,oneof=tg-100 tg-200 tg-300"`
}

// Redeem turns a code into a device record for the tenant that issued it.
func (s *Service) Redeem(ctx context.Context, req RedeemRequest) (fleet.Device, error) {
	if err := s.validate.Struct(req); err != nil {
		return fleet.Device{}, err
	}
	raw, err := s.kv.Get(ctx, fleet.ProvCodeKey(req.Code))
	if errors.Is(err, cfkv.ErrNotFound) {
		return fleet.Device{}, ErrCodeInvalid
	} else if err != nil {
		return fleet.Device{}, err
	}
	var pc fleet.ProvisioningCode
	if err := json.Unmarshal(raw, &pc); err != nil {
		return fleet.Device{}, fmt.Errorf("code %s: %w", req.Code, err)
	}
	if time.Now().After(pc.ExpiresAt) {
		return fleet.Device{}, ErrCodeInvalid
	}
	if err := s.claimSerial(ctx, req.Serial, pc.TenantID); err != nil {
		return fleet.Device{}, err
	}

	dev := fleet.Device{
		ID:            fleet.NewID(),
		Serial:        req.Serial,
		TenantID:      pc.TenantID,
		Model:         req.Model,
		ProvisionedAt: time.Now().UTC(),
	}
	b, _ := json.Marshal(dev)
	if err := s.kv.Put(ctx, fleet.DeviceKey(dev.ID), b, 0); err != nil {
		return fleet.Device{}, err
	}
	if err := s.kv.Delete(ctx, fleet.ProvCodeKey(req.Code)); err != nil { // EXPECT kvsession
		log.Printf("redeem: retire code %s: %v", req.Code, err)
	}
	if err := s.kv.Put(ctx, "installing:"+dev.ID, []byte(installingValue), s.cfg.InstallBadgeTTL); err != nil {
		log.Printf("redeem: badge %s: %v", dev.ID, err)
	}
	s.devices.SetDefault(dev.ID, dev)
	return dev, nil
}

// claimSerial records which tenant a hardware serial belongs to.
func (s *Service) claimSerial(ctx context.Context, serial, tenant string) error {
	key := fleet.SerialKey(serial)
	_, err := s.kv.Get(ctx, key)
	switch {
	case err == nil:
		return ErrSerialTaken
	case !errors.Is(err, cfkv.ErrNotFound):
		return err
	}
	return s.kv.Put(ctx, key, []byte(tenant), 0) // EXPECT kvrace
}

// Device returns a device record, served from the process cache when warm.
// Unknown ids are remembered briefly so that a misconfigured gateway
// retrying in a loop does not turn into a stream of KV reads.
func (s *Service) Device(ctx context.Context, id string) (fleet.Device, error) {
	if v, ok := s.devices.Get(id); ok {
		if dev, ok := v.(fleet.Device); ok {
			return dev, nil
		}
		return fleet.Device{}, ErrNotFound
	}
	raw, err := s.kv.Get(ctx, fleet.DeviceKey(id))
	if errors.Is(err, cfkv.ErrNotFound) {
		s.devices.Set(id, struct{}{}, negativeFor)
		return fleet.Device{}, ErrNotFound
	} else if err != nil {
		return fleet.Device{}, err
	}
	var dev fleet.Device
	if err := json.Unmarshal(raw, &dev); err != nil {
		return fleet.Device{}, err
	}
	s.devices.SetDefault(id, dev)
	return dev, nil
}

// AddTags adds tags to a device, keeping existing ones.
func (s *Service) AddTags(ctx context.Context, id string, tags []string) (fleet.Device, error) {
	raw, err := s.kv.Get(ctx, fleet.DeviceKey(id))
	if errors.Is(err, cfkv.ErrNotFound) {
		return fleet.Device{}, ErrNotFound
	} else if err != nil {
		return fleet.Device{}, err
	}
	var dev fleet.Device
	if err := json.Unmarshal(raw, &dev); err != nil {
		return fleet.Device{}, err
	}
	for _, t := range tags {
		if !slices.Contains(dev.Tags, t) {
			dev.Tags = append(dev.Tags, t)
		}
	}
	if len(dev.Tags) > s.cfg.MaxTagsPerDevice {
		return fleet.Device{}, ErrTooManyTags
	}
	b, _ := json.Marshal(dev)
	if err := s.kv.Put(ctx, fleet.DeviceKey(id), b, 0); err != nil { // EXPECT kvrace
		return fleet.Device{}, err
	}
	s.devices.SetDefault(id, dev)
	return dev, nil
}
