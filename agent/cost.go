package agent

import (
	"fmt"
	"strconv"
	"strings"
)

// Price is a model's price in US dollars per million tokens.
type Price struct {
	Input       float64
	CachedInput float64
	Output      float64
}

// Prices maps model names to prices.
type Prices map[string]Price

// DefaultPrices are OpenAI's list prices for the models the bot supports.
func DefaultPrices() Prices {
	return Prices{
		"gpt-4.1":      {Input: 2.00, CachedInput: 0.50, Output: 8.00},
		"gpt-4.1-mini": {Input: 0.40, CachedInput: 0.10, Output: 1.60},
		"gpt-4.1-nano": {Input: 0.10, CachedInput: 0.025, Output: 0.40},
		"gpt-4o":       {Input: 2.50, CachedInput: 1.25, Output: 10.00},
		"gpt-4o-mini":  {Input: 0.15, CachedInput: 0.075, Output: 0.60},
	}
}

// ParsePrices reads overrides written as "model=input,cached,output;…"
// (dollars per million tokens) on top of the defaults.
func ParsePrices(spec string) (Prices, error) {
	prices := DefaultPrices()
	for _, item := range strings.Split(spec, ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, values, ok := strings.Cut(item, "=")
		parts := strings.Split(values, ",")
		if !ok || strings.TrimSpace(name) == "" || len(parts) != 3 {
			return nil, fmt.Errorf("price %q: want model=input,cached,output", item)
		}
		var nums [3]float64
		for i, p := range parts {
			n, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("price %q: %q is not a price", item, p)
			}
			nums[i] = n
		}
		prices[strings.TrimSpace(name)] = Price{Input: nums[0], CachedInput: nums[1], Output: nums[2]}
	}
	return prices, nil
}

// Cost turns usage into dollars. Cached input tokens are part of the
// input tokens and are billed at the cached price. An unknown model is
// priced by its longest known prefix (gpt-4.1-2025-04-14 as gpt-4.1), or 0.
func (p Prices) Cost(model string, u Usage) float64 {
	price, ok := p[model]
	if !ok {
		best := ""
		for name := range p {
			if strings.HasPrefix(model, name) && len(name) > len(best) {
				best = name
			}
		}
		price = p[best]
	}
	uncached := max(u.InputTokens-u.CachedInputTokens, 0)
	return (float64(uncached)*price.Input + float64(u.CachedInputTokens)*price.CachedInput + float64(u.OutputTokens)*price.Output) / 1e6
}
