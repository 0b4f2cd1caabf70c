// Package provision mints the one-time codes printed on device packaging and
// turns a redeemed code into a device claim for an organisation.
package provision

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"dowitcher/internal/config"
	"dowitcher/internal/kvstore"
)

// Errors returned to callers.
var (
	ErrUnknownCode = errors.New("provision: unknown or used code")
	ErrNameTaken   = errors.New("provision: device name already in use")
	ErrQuota       = errors.New("provision: organisation device quota reached")
)

// factoryLot is the number of codes printed per factory production lot.
const factoryLot = 12_000

var codeEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Code is the record stored for an unredeemed code.
type Code struct {
	Fleet    string `json:"fleet"`
	Hardware string `json:"hw"`
	Lot      string `json:"lot"`
}

// Claim is the result of redeeming a code.
type Claim struct {
	Org    string    `json:"org"`
	Fleet  string    `json:"fleet"`
	Serial string    `json:"serial"`
	At     time.Time `json:"at"`
}

// Provisioner mints and redeems codes.
type Provisioner struct {
	kv    *kvstore.Store
	batch int
	ttl   time.Duration
	tier  config.Tier
}

// New returns a provisioner configured from cfg.
func New(kv *kvstore.Store, cfg *config.Config) *Provisioner {
	return &Provisioner{
		kv:    kv,
		batch: cfg.CodeBatchSize,
		ttl:   time.Duration(cfg.CodeTTLSeconds) * time.Second,
		tier:  cfg.Tier,
	}
}

func codeKey(code string) string {
	var b strings.Builder
	b.WriteString("code/")
	b.WriteString(strings.ToUpper(strings.ReplaceAll(code, "-", "")))
	return b.String()
}

func newCode() (string, error) {
	raw := make([]byte, 10)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	s := codeEncoding.EncodeToString(raw)
	return s[:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:], nil
}

// Mint creates a batch of codes for a fleet and returns them for printing.
func (p *Provisioner) Mint(ctx context.Context, fleet, hw string) ([]string, error) {
	lot := time.Now().UTC().Format("20060102T150405")
	val, err := json.Marshal(Code{Fleet: fleet, Hardware: hw, Lot: lot})
	if err != nil {
		return nil, err
	}
	codes := make([]string, 0, p.batch)
	var b kvstore.Batch
	for range p.batch {
		c, err := newCode()
		if err != nil {
			return nil, err
		}
		codes = append(codes, c)
		b = b.Add(codeKey(c), val, p.ttl)
	}
	if err := b.Flush(ctx, p.kv); err != nil {
		return nil, err
	}
	return codes, nil
}

// MintFactoryLot creates the codes for one factory production lot in a
// single request, so that a lot is either fully provisioned or not at all.
func (p *Provisioner) MintFactoryLot(ctx context.Context, fleet, hw, lot string) ([]string, error) {
	val, err := json.Marshal(Code{Fleet: fleet, Hardware: hw, Lot: lot})
	if err != nil {
		return nil, err
	}
	codes := make([]string, 0, factoryLot)
	pairs := make([]*cloudflare.WorkersKVPair, 0, factoryLot)
	for i := 0; i < factoryLot; i++ {
		c, err := newCode()
		if err != nil {
			return nil, err
		}
		codes = append(codes, c)
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: codeKey(c), Value: string(val), ExpirationTTL: 180 * 24 * 3600})
	}
	api, rc := p.kv.API()
	_, err = api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: p.kv.Namespace(), KVs: pairs}) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// Check reports whether a code is still redeemable.
func (p *Provisioner) Check(ctx context.Context, code string) (bool, error) {
	raw, err := p.kv.Get(ctx, codeKey(code))
	if err != nil {
		return false, err
	}
	return len(raw) > 0, nil // EXPECT kvnull
}

// Redeem turns a code into a claim for org. The device's serial is known
// from the packaging record the installer scanned.
func (p *Provisioner) Redeem(ctx context.Context, org, code, serial string) (claim *Claim, err error) {
	defer func() {
		if err != nil {
			return
		}
		if qerr := p.charge(ctx, org); qerr != nil {
			claim, err = nil, qerr
		}
	}()

	key := codeKey(code)
	raw, found, err := p.kv.Lookup(ctx, key)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrUnknownCode
	}
	var c Code
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, err
	}
	claim = &Claim{Org: org, Fleet: c.Fleet, Serial: serial, At: time.Now().UTC()}
	b, _ := json.Marshal(claim)
	if err := p.kv.Put(ctx, kvstore.DeviceKey(c.Fleet, serial, "claim"), b); err != nil {
		return nil, err
	}
	if err := p.kv.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, err
	}
	return claim, nil
}

// quotaFor returns the device limit of an organisation's tier.
func (p *Provisioner) quotaFor() int {
	switch p.tier {
	case config.TierEnterprise:
		return 1_000_000
	case config.TierPro:
		return 10_000
	default:
		return 250
	}
}

// charge adds one device to the organisation's monthly provisioning usage.
func (p *Provisioner) charge(ctx context.Context, org string) error {
	key := func() string {
		month := time.Now().UTC().Format("2006-01")
		return kvstore.Join("usage", org, "provisioned", month)
	}()
	used := 0
	raw, found, err := p.kv.Lookup(ctx, key)
	if err != nil {
		return err
	}
	if found {
		used, _ = strconv.Atoi(string(raw))
	}
	if used >= p.quotaFor() {
		return fmt.Errorf("%w (%d)", ErrQuota, used)
	}
	return p.kv.Put(ctx, key, []byte(strconv.Itoa(used+1))) // EXPECT kvcounter|kvrace
}

// ClaimName reserves a friendly device name within a fleet.
func (p *Provisioner) ClaimName(ctx context.Context, fleet, name, serial string) error {
	key := kvstore.Join("name", fleet, strings.ToLower(name))
	if _, taken, err := p.kv.Lookup(ctx, key); err != nil {
		return err
	} else if taken {
		return ErrNameTaken
	}
	return p.kv.Put(ctx, key, []byte(serial)) // EXPECT kvrace
}
