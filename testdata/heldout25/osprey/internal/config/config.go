// Package config holds the control plane's configuration tree and the
// process-wide, runtime-swappable copy of it.
package config

import (
	"os"
	"sync/atomic"
	"time"
)

// Entry configures how long a class of records lives in KV.
type Entry struct {
	TTL time.Duration
}

// Window configures a fixed-window limit.
type Window struct {
	Window time.Duration
	Max    int
}

// Listing configures paginated reads.
type Listing struct {
	PageSize int
	MaxPages int
}

// Cache groups the TTLs of cached and expiring records.
type Cache struct {
	Sessions Entry
	Projects Entry
	Builds   Entry
	Flags    Entry
	Invites  Entry
	Receipts Entry
}

// Limits groups request limits and listing bounds.
type Limits struct {
	Login   Window
	API     Window
	Deploys Window
	Audit   Listing
	Tokens  Listing
}

// Locks configures deploy locks and job leases.
type Locks struct {
	Lease      time.Duration
	JobLease   time.Duration
	MaxHolders int
}

// Jobs configures the background worker.
type Jobs struct {
	SweepEvery     time.Duration
	HeartbeatEvery time.Duration
	DigestEvery    time.Duration
	SweepBudget    time.Duration
}

// Cloudflare identifies the account and namespace the service writes to.
type Cloudflare struct {
	AccountID   string
	NamespaceID string
	APIToken    string
}

// Config is the whole configuration tree.
type Config struct {
	Addr       string
	Cloudflare Cloudflare
	Cache      Cache
	Limits     Limits
	Locks      Locks
	Jobs       Jobs
}

// Default returns the configuration used when nothing overrides it.
func Default() Config {
	return Config{
		Addr: ":8080",
		Cache: Cache{
			Sessions: Entry{TTL: 12 * time.Hour},
			Projects: Entry{TTL: 10 * time.Minute},
			Builds:   Entry{TTL: 30 * time.Second}, // EXPECT kvttl
			Flags:    Entry{TTL: 5 * time.Minute},
			Invites:  Entry{TTL: 7 * 24 * time.Hour},
			Receipts: Entry{TTL: 24 * time.Hour},
		},
		Limits: Limits{
			Login:   Window{Window: time.Minute, Max: 10},
			API:     Window{Window: time.Minute, Max: 600},
			Deploys: Window{Window: time.Hour, Max: 30},
			Audit:   Listing{PageSize: 2000, MaxPages: 20}, // EXPECT kvlimits
			Tokens:  Listing{PageSize: 500, MaxPages: 10},
		},
		Locks: Locks{
			Lease:      15 * time.Minute,
			JobLease:   2 * time.Minute,
			MaxHolders: 1,
		},
		Jobs: Jobs{
			SweepEvery:     10 * time.Minute,
			HeartbeatEvery: time.Minute,
			DigestEvery:    time.Hour,
			SweepBudget:    45 * time.Second,
		},
	}
}

// withDefaults fills every zero field of c from d.
func (c Config) withDefaults(d Config) Config {
	if c.Addr == "" {
		c.Addr = d.Addr
	}
	c.Cache = c.Cache.merge(d.Cache)
	c.Limits = c.Limits.merge(d.Limits)
	if c.Locks.Lease == 0 {
		c.Locks.Lease = d.Locks.Lease
	}
	if c.Locks.JobLease == 0 {
		c.Locks.JobLease = d.Locks.JobLease
	}
	if c.Locks.MaxHolders == 0 {
		c.Locks.MaxHolders = d.Locks.MaxHolders
	}
	if c.Jobs.SweepEvery == 0 {
		c.Jobs.SweepEvery = d.Jobs.SweepEvery
	}
	if c.Jobs.HeartbeatEvery == 0 {
		c.Jobs.HeartbeatEvery = d.Jobs.HeartbeatEvery
	}
	if c.Jobs.DigestEvery == 0 {
		c.Jobs.DigestEvery = d.Jobs.DigestEvery
	}
	if c.Jobs.SweepBudget == 0 {
		c.Jobs.SweepBudget = d.Jobs.SweepBudget
	}
	return c
}

func (c Cache) merge(d Cache) Cache {
	c.Sessions = c.Sessions.merge(d.Sessions)
	c.Projects = c.Projects.merge(d.Projects)
	c.Builds = c.Builds.merge(d.Builds)
	c.Flags = c.Flags.merge(d.Flags)
	c.Invites = c.Invites.merge(d.Invites)
	c.Receipts = c.Receipts.merge(d.Receipts)
	return c
}

func (e Entry) merge(d Entry) Entry {
	if e.TTL == 0 {
		e.TTL = d.TTL
	}
	return e
}

func (l Limits) merge(d Limits) Limits {
	l.Login = l.Login.merge(d.Login)
	l.API = l.API.merge(d.API)
	l.Deploys = l.Deploys.merge(d.Deploys)
	if l.Audit.PageSize == 0 {
		l.Audit.PageSize = d.Audit.PageSize
	}
	if l.Audit.MaxPages == 0 {
		l.Audit.MaxPages = d.Audit.MaxPages
	}
	if l.Tokens.PageSize == 0 {
		l.Tokens.PageSize = d.Tokens.PageSize
	}
	if l.Tokens.MaxPages == 0 {
		l.Tokens.MaxPages = d.Tokens.MaxPages
	}
	return l
}

func (w Window) merge(d Window) Window {
	if w.Window == 0 {
		w.Window = d.Window
	}
	if w.Max == 0 {
		w.Max = d.Max
	}
	return w
}

// FromEnv reads the few settings that are deployment specific and fills
// the rest from Default.
func FromEnv() Config {
	c := Config{
		Addr: os.Getenv("OSPREY_ADDR"),
		Cloudflare: Cloudflare{
			AccountID:   os.Getenv("CF_ACCOUNT_ID"),
			NamespaceID: os.Getenv("CF_KV_NAMESPACE_ID"),
			APIToken:    os.Getenv("CF_API_TOKEN"),
		},
	}
	if v := os.Getenv("OSPREY_SESSION_TTL"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			c.Cache.Sessions.TTL = d
		}
	}
	return c.withDefaults(Default())
}

var current atomic.Pointer[Config]

func init() {
	d := Default()
	current.Store(&d)
}

// Load returns the configuration in force right now. Callers must not keep
// the pointer across requests: an operator may swap it at any time.
func Load() *Config { return current.Load() }

// Swap installs c (completed from the defaults) as the configuration in force.
func Swap(c Config) {
	c = c.withDefaults(Default())
	current.Store(&c)
}
