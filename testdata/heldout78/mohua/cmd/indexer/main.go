// Command indexer follows token transfers and maintains balances, ownership,
// metadata and notifications in Workers KV.
package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mohua-labs/mohua/internal/chain"
	"github.com/mohua-labs/mohua/internal/events"
	"github.com/mohua-labs/mohua/internal/indexer"
	"github.com/mohua-labs/mohua/internal/kvrest"
	"github.com/mohua-labs/mohua/internal/ledger"
	"github.com/mohua-labs/mohua/internal/nft"
	"github.com/mohua-labs/mohua/internal/notify"
	"github.com/mohua-labs/mohua/internal/tokenmeta"
)

// stubs answers the view calls the services need; production wires an
// archive node here.
type stubs struct{ rpc *chain.RPC }

func (s stubs) BalanceOf(ctx context.Context, contract, holder string) (*big.Int, error) {
	return new(big.Int), nil
}

func (s stubs) TokenURI(ctx context.Context, chainID uint64, contract, id string) (string, error) {
	return fmt.Sprintf("https://meta.mohua.dev/%d/%s/%s.json", chainID, contract, id), nil
}

type fcm struct{ key string }

func (f fcm) Push(ctx context.Context, token, title, body string) error {
	payload, _ := json.Marshal(map[string]any{"to": token, "notification": map[string]string{"title": title, "body": body}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://fcm.googleapis.com/fcm/send", bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "key="+f.key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return res.Body.Close()
}

func parseAddr(s string) chain.Address {
	var a chain.Address
	b, _ := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	copy(a[:], b)
	return a
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store := kvrest.New(os.Getenv("CF_ACCOUNT_ID"), os.Getenv("CF_API_TOKEN"))
	ns := kvrest.Namespace(os.Getenv("KV_DATA"))
	rpc := &chain.RPC{URL: os.Getenv("ETH_RPC"), HTTP: &http.Client{Timeout: 20 * time.Second}, Poll: 4 * time.Second}
	bus := events.NewRegistry()

	var filterers []*chain.TokenFilterer
	for _, a := range strings.Split(os.Getenv("CONTRACTS"), ",") {
		f, err := chain.NewTokenFilterer(parseAddr(a), rpc)
		if err != nil {
			slog.Error("filterer", "err", err)
			os.Exit(1)
		}
		filterers = append(filterers, f)
	}
	ix := indexer.New(indexer.Config{ChainID: 1, BatchBlocks: 2000, Confirmations: 12, CursorEvery: time.Minute}, store, ns, rpc, bus, filterers...)
	ix.HandleReorgs(ctx)

	ledger.New(store, ns, ix, stubs{rpc}, bus).Register()
	nft.NewTracker(store, ns, bus, ix).Register()
	meta := tokenmeta.New(store, ns, stubs{rpc})
	metaDone := meta.Run(ctx, bus)
	n := notify.New(store, kvrest.Namespace(os.Getenv("KV_NOTIFY")), fcm{os.Getenv("FCM_KEY")}, notify.Settings{HourlyQuota: 20, DigestEvery: time.Minute, DedupeFor: 24 * time.Hour})
	notifyDone := n.Subscribe(ctx, bus)
	go n.FlushStats(ctx, time.Minute)

	if err := ix.Backfill(ctx); err != nil {
		slog.Error("backfill", "err", err)
	}
	for _, f := range filterers {
		go func() {
			if err := ix.Watch(ctx, f); err != nil && ctx.Err() == nil {
				slog.Error("watch", "contract", f.Address().Hex(), "err", err)
			}
		}()
	}
	<-ctx.Done()
	select {
	case <-metaDone:
	case <-notifyDone:
	case <-time.After(5 * time.Second):
	}
}
