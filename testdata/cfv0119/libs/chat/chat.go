// Package chat stands for a chat platform's library: a slash command's
// options, as its dispatcher hands them to the bot's handlers.
package chat

// Option is one option of a slash command, as the sender typed it.
type Option struct {
	Name  string
	Value float64
}

// IntValue is the option as a whole number.
func (o *Option) IntValue() int64 { return int64(o.Value) }

// Command is an invocation of a slash command.
type Command struct {
	Guild   string
	User    string
	Text    string
	Options []*Option
}

// Option returns the option of the given name, or nil.
func (c *Command) Option(name string) *Option {
	for _, o := range c.Options {
		if o.Name == name {
			return o
		}
	}
	return nil
}

// Settings is a bot's configuration, read once at start.
type Settings struct{ values map[string]int64 }

// Int returns a setting.
func (s *Settings) Int(name string) int64 { return s.values[name] }
