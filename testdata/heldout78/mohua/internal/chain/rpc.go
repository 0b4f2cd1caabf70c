package chain

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RPC is a minimal JSON-RPC client for an Ethereum node.
type RPC struct {
	URL  string
	HTTP *http.Client
	Poll time.Duration
}

func (c *RPC) call(ctx context.Context, method string, params []any, out any) error {
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		return err
	}
	if env.Error != nil {
		return fmt.Errorf("%s: %s", method, env.Error.Message)
	}
	return json.Unmarshal(env.Result, out)
}

func hexU(n uint64) string { return "0x" + strconv.FormatUint(n, 16) }

// BlockNumber returns the chain head.
func (c *RPC) BlockNumber(ctx context.Context) (uint64, error) {
	var s string
	if err := c.call(ctx, "eth_blockNumber", nil, &s); err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
}

type rpcLog struct {
	Address     string   `json:"address"`
	Topics      []string `json:"topics"`
	Data        string   `json:"data"`
	BlockNumber string   `json:"blockNumber"`
	BlockHash   string   `json:"blockHash"`
	TxHash      string   `json:"transactionHash"`
	LogIndex    string   `json:"logIndex"`
	Removed     bool     `json:"removed"`
}

func decodeHex(s string, dst []byte) {
	b, _ := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	copy(dst[len(dst)-min(len(b), len(dst)):], b)
}

// FilterLogs implements LogBackend.
func (c *RPC) FilterLogs(ctx context.Context, q FilterQuery) ([]Log, error) {
	arg := map[string]any{}
	if q.FromBlock != nil {
		arg["fromBlock"] = hexU(q.FromBlock.Uint64())
	}
	if q.ToBlock != nil {
		arg["toBlock"] = hexU(q.ToBlock.Uint64())
	}
	addrs := make([]string, 0, len(q.Addresses))
	for _, a := range q.Addresses {
		addrs = append(addrs, a.Hex())
	}
	arg["address"] = addrs
	topics := make([]any, 0, len(q.Topics))
	for _, alts := range q.Topics {
		if len(alts) == 0 {
			topics = append(topics, nil)
			continue
		}
		hs := make([]string, 0, len(alts))
		for _, h := range alts {
			hs = append(hs, h.Hex())
		}
		topics = append(topics, hs)
	}
	arg["topics"] = topics
	var raw []rpcLog
	if err := c.call(ctx, "eth_getLogs", []any{arg}, &raw); err != nil {
		return nil, err
	}
	out := make([]Log, 0, len(raw))
	for _, r := range raw {
		var l Log
		decodeHex(r.Address, l.Address[:])
		for _, t := range r.Topics {
			var h Hash
			decodeHex(t, h[:])
			l.Topics = append(l.Topics, h)
		}
		l.Data, _ = hex.DecodeString(strings.TrimPrefix(r.Data, "0x"))
		l.BlockNumber, _ = strconv.ParseUint(strings.TrimPrefix(r.BlockNumber, "0x"), 16, 64)
		decodeHex(r.BlockHash, l.BlockHash[:])
		decodeHex(r.TxHash, l.TxHash[:])
		idx, _ := strconv.ParseUint(strings.TrimPrefix(r.LogIndex, "0x"), 16, 32)
		l.Index = uint(idx)
		l.Removed = r.Removed
		out = append(out, l)
	}
	return out, nil
}

type pollSub struct {
	errc chan error
	quit chan struct{}
}

func (s *pollSub) Unsubscribe()      { close(s.quit) }
func (s *pollSub) Err() <-chan error { return s.errc }

// SubscribeFilterLogs polls eth_getLogs for new blocks.
func (c *RPC) SubscribeFilterLogs(ctx context.Context, q FilterQuery, ch chan<- Log) (Subscription, error) {
	next := uint64(0)
	if q.FromBlock != nil {
		next = q.FromBlock.Uint64()
	}
	sub := &pollSub{errc: make(chan error, 1), quit: make(chan struct{})}
	go func() {
		t := time.NewTicker(c.Poll)
		defer t.Stop()
		for {
			select {
			case <-sub.quit:
				return
			case <-ctx.Done():
				sub.errc <- ctx.Err()
				return
			case <-t.C:
			}
			head, err := c.BlockNumber(ctx)
			if err != nil || head < next {
				continue
			}
			q.FromBlock, q.ToBlock = new(big.Int).SetUint64(next), new(big.Int).SetUint64(head)
			logs, err := c.FilterLogs(ctx, q)
			if err != nil {
				sub.errc <- err
				return
			}
			for _, l := range logs {
				ch <- l
			}
			next = head + 1
		}
	}()
	return sub, nil
}
