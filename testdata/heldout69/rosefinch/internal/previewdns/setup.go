// Package previewdns is a CoreDNS plugin that answers A and TXT queries for
// preview hostnames from Workers KV.
//
//	previewkv preview.rosefinch.dev {
//	    account      <account id>
//	    namespace    <namespace id>
//	    token_env    CF_API_TOKEN
//	    answer_ttl   60s
//	    negative_ttl 5m
//	    refresh      1m
//	    fallthrough
//	}
package previewdns

import (
	"fmt"
	"os"
	"time"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"
	clog "github.com/coredns/coredns/plugin/pkg/log"

	"github.com/rosefinch-dev/rosefinch/internal/kvstore"
)

const pluginName = "previewkv"

var log = clog.NewWithPlugin(pluginName)

func init() { plugin.Register(pluginName, setup) }

type config struct {
	Zones       []string
	AccountID   string
	NamespaceID string
	TokenEnv    string
	AnswerTTL   time.Duration
	NegativeTTL time.Duration
	Refresh     time.Duration
	Fallthrough bool
}

func parse(c *caddy.Controller) (*config, error) {
	cfg := &config{
		TokenEnv:    "CF_API_TOKEN",
		AnswerTTL:   60 * time.Second,
		NegativeTTL: 5 * time.Minute,
		Refresh:     time.Minute,
	}
	for c.Next() {
		cfg.Zones = plugin.OriginsFromArgsOrServerBlock(c.RemainingArgs(), c.ServerBlockKeys)
		for c.NextBlock() {
			switch c.Val() {
			case "account":
				if !c.NextArg() {
					return nil, c.ArgErr()
				}
				cfg.AccountID = c.Val()
			case "namespace":
				if !c.NextArg() {
					return nil, c.ArgErr()
				}
				cfg.NamespaceID = c.Val()
			case "token_env":
				if !c.NextArg() {
					return nil, c.ArgErr()
				}
				cfg.TokenEnv = c.Val()
			case "answer_ttl", "negative_ttl", "refresh":
				name := c.Val()
				args := c.RemainingArgs()
				if len(args) != 1 {
					return nil, c.ArgErr()
				}
				d, err := time.ParseDuration(args[0])
				if err != nil {
					return nil, c.Errf("%s: %v", name, err)
				}
				switch name {
				case "answer_ttl":
					cfg.AnswerTTL = d
				case "negative_ttl":
					cfg.NegativeTTL = d
				case "refresh":
					cfg.Refresh = d
				}
			case "fallthrough":
				cfg.Fallthrough = true
			default:
				return nil, c.Errf("unknown property %q", c.Val())
			}
		}
	}
	if cfg.AccountID == "" || cfg.NamespaceID == "" {
		return nil, c.Err("account and namespace are required")
	}
	return cfg, nil
}

func setup(c *caddy.Controller) error {
	cfg, err := parse(c)
	if err != nil {
		return plugin.Error(pluginName, err)
	}
	token := os.Getenv(cfg.TokenEnv)
	if token == "" {
		return plugin.Error(pluginName, fmt.Errorf("%s is not set", cfg.TokenEnv))
	}
	p := &PreviewKV{
		cfg:  cfg,
		ns:   kvstore.Open(token, cfg.AccountID, cfg.NamespaceID),
		stop: make(chan struct{}),
	}
	c.OnStartup(p.start)
	c.OnShutdown(p.shutdown)
	dnsserver.GetConfig(c).AddPlugin(func(next plugin.Handler) plugin.Handler {
		p.Next = next
		return p
	})
	return nil
}
