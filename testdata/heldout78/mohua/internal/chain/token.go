// Package chain holds the contract bindings used by the indexer. The Token
// bindings follow the layout abigen generates for the Transfer event shared by
// ERC-20 and ERC-721 contracts.
package chain

import (
	"context"
	"encoding/hex"
	"errors"
	"math/big"
	"sync"
)

// Address is a 20-byte account address.
type Address [20]byte

// Hex returns the 0x-prefixed lower-case form.
func (a Address) Hex() string { return "0x" + hex.EncodeToString(a[:]) }

// Hash is a 32-byte hash.
type Hash [32]byte

// Hex returns the 0x-prefixed lower-case form.
func (h Hash) Hex() string { return "0x" + hex.EncodeToString(h[:]) }

// TransferTopic is keccak256("Transfer(address,address,uint256)").
var TransferTopic = Hash{0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0, 0x68, 0xfc, 0x37, 0x8d, 0xaa, 0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4, 0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef}

// Log is a contract log as returned by eth_getLogs.
type Log struct {
	Address     Address
	Topics      []Hash
	Data        []byte
	BlockNumber uint64
	BlockHash   Hash
	TxHash      Hash
	Index       uint
	Removed     bool
}

// FilterQuery selects logs.
type FilterQuery struct {
	FromBlock *big.Int
	ToBlock   *big.Int
	Addresses []Address
	Topics    [][]Hash
}

// Subscription is an active log subscription.
type Subscription interface {
	Unsubscribe()
	Err() <-chan error
}

// LogBackend is the part of an RPC client the bindings need.
type LogBackend interface {
	FilterLogs(ctx context.Context, q FilterQuery) ([]Log, error)
	SubscribeFilterLogs(ctx context.Context, q FilterQuery, ch chan<- Log) (Subscription, error)
}

// FilterOpts is the collection of options to fine tune filtering for events.
type FilterOpts struct {
	Start   uint64
	End     *uint64
	Context context.Context
}

// WatchOpts is the collection of options to fine tune subscribing for events.
type WatchOpts struct {
	Start   *uint64
	Context context.Context
}

// TokenTransfer represents a Transfer event raised by the Token contract.
type TokenTransfer struct {
	From    Address
	To      Address
	Value   *big.Int // ERC-20 amount
	TokenId *big.Int // ERC-721 token id
	Raw     Log      // Blockchain specific contextual infos
}

// IsNFT reports whether the event came from an ERC-721 contract.
func (t *TokenTransfer) IsNFT() bool { return t.TokenId != nil }

// TokenFilterer is an auto generated log filtering Go binding around a token contract.
type TokenFilterer struct {
	address  Address
	contract LogBackend
}

// NewTokenFilterer creates a new log filterer instance of Token, bound to a specific deployed contract.
func NewTokenFilterer(address Address, filterer LogBackend) (*TokenFilterer, error) {
	if filterer == nil {
		return nil, errors.New("no backend")
	}
	return &TokenFilterer{address: address, contract: filterer}, nil
}

// Address returns the bound contract address.
func (_Token *TokenFilterer) Address() Address { return _Token.address }

func topicsFor(from, to []Address) [][]Hash {
	rule := func(as []Address) []Hash {
		out := make([]Hash, 0, len(as))
		for _, a := range as {
			var h Hash
			copy(h[12:], a[:])
			out = append(out, h)
		}
		return out
	}
	return [][]Hash{{TransferTopic}, rule(from), rule(to)}
}

// TokenTransferIterator is returned from FilterTransfer and is used to iterate over the raw logs and unpacked data for Transfer events raised by the Token contract.
type TokenTransferIterator struct {
	Event *TokenTransfer // Event containing the contract specifics and raw log

	contract *TokenFilterer
	logs     []Log
	pos      int
	fail     error
	done     bool
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found.
func (it *TokenTransferIterator) Next() bool {
	if it.fail != nil || it.done {
		return false
	}
	for it.pos < len(it.logs) {
		log := it.logs[it.pos]
		it.pos++
		ev, err := it.contract.ParseTransfer(log)
		if err != nil {
			it.fail = err
			return false
		}
		it.Event = ev
		return true
	}
	it.done = true
	return false
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *TokenTransferIterator) Error() error { return it.fail }

// Close terminates the iteration process, releasing any pending underlying resources.
func (it *TokenTransferIterator) Close() error {
	it.done = true
	it.logs = nil
	return nil
}

// FilterTransfer is a free log retrieval operation binding the contract event 0xddf252ad.
//
// Solidity: event Transfer(address indexed from, address indexed to, uint256 value)
func (_Token *TokenFilterer) FilterTransfer(opts *FilterOpts, from []Address, to []Address) (*TokenTransferIterator, error) {
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	q := FilterQuery{FromBlock: new(big.Int).SetUint64(opts.Start), Addresses: []Address{_Token.address}, Topics: topicsFor(from, to)}
	if opts.End != nil {
		q.ToBlock = new(big.Int).SetUint64(*opts.End)
	}
	logs, err := _Token.contract.FilterLogs(ctx, q)
	if err != nil {
		return nil, err
	}
	return &TokenTransferIterator{contract: _Token, logs: logs}, nil
}

// WatchTransfer is a free log subscription operation binding the contract event 0xddf252ad.
//
// Solidity: event Transfer(address indexed from, address indexed to, uint256 value)
func (_Token *TokenFilterer) WatchTransfer(opts *WatchOpts, sink chan<- *TokenTransfer, from []Address, to []Address) (Subscription, error) {
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	q := FilterQuery{Addresses: []Address{_Token.address}, Topics: topicsFor(from, to)}
	if opts.Start != nil {
		q.FromBlock = new(big.Int).SetUint64(*opts.Start)
	}
	logs := make(chan Log, 128)
	sub, err := _Token.contract.SubscribeFilterLogs(ctx, q, logs)
	if err != nil {
		return nil, err
	}
	out := &eventSub{inner: sub, errc: make(chan error, 1), quit: make(chan struct{})}
	go func() {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				ev, err := _Token.ParseTransfer(log)
				if err != nil {
					out.errc <- err
					return
				}
				select {
				case sink <- ev:
				case err := <-sub.Err():
					out.errc <- err
					return
				case <-out.quit:
					return
				}
			case err := <-sub.Err():
				out.errc <- err
				return
			case <-out.quit:
				return
			}
		}
	}()
	return out, nil
}

// ParseTransfer is a log parse operation binding the contract event 0xddf252ad.
func (_Token *TokenFilterer) ParseTransfer(log Log) (*TokenTransfer, error) {
	if len(log.Topics) < 3 || log.Topics[0] != TransferTopic {
		return nil, errors.New("not a Transfer log")
	}
	ev := &TokenTransfer{Raw: log}
	copy(ev.From[:], log.Topics[1][12:])
	copy(ev.To[:], log.Topics[2][12:])
	if len(log.Topics) == 4 {
		ev.TokenId = new(big.Int).SetBytes(log.Topics[3][:])
	} else {
		ev.Value = new(big.Int).SetBytes(log.Data)
	}
	return ev, nil
}

type eventSub struct {
	inner Subscription
	errc  chan error
	quit  chan struct{}
	once  sync.Once
}

func (s *eventSub) Unsubscribe()      { s.once.Do(func() { close(s.quit) }) }
func (s *eventSub) Err() <-chan error { return s.errc }
