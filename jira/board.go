package jira

import (
	"context"

	"github.com/setbot/setbot"
)

var _ setbot.BoardReader = (*Client)(nil)

// ToDo returns the project's To Do tickets in rank order (the Kanban TO DO
// column), each with the index of the first class whose JQL selects it.
// It makes one search for the column and one per class; the class
// fragments are the admin's [order] JQL, put in parentheses.
func (c *Client) ToDo(ctx context.Context, classes []setbot.OrderClass, max int) ([]setbot.RankedTicket, error) {
	if max <= 0 {
		return nil, nil
	}
	base := "project = " + QuoteJQL(c.cfg.Project) + ` AND statusCategory = "To Do"`
	beans, err := searchAll[listedBean](ctx, c, "read the TO DO column", base+" ORDER BY Rank ASC", listFields, max)
	if err != nil {
		return nil, c.public("board", err)
	}
	class := map[string]int{}
	for i := len(classes) - 1; i >= 0; i-- { // the first class that matches wins
		keys, err := searchAll[struct {
			Key string `json:"key"`
		}](ctx, c, "class the TO DO column", base+" AND ("+classes[i].JQL+")", []string{"summary"}, max)
		if err != nil {
			return nil, c.public("board", err)
		}
		for _, k := range keys {
			class[k.Key] = i
		}
	}
	back := c.accountsBack()
	out := make([]setbot.RankedTicket, 0, len(beans))
	for _, b := range beans {
		cl, ok := class[b.Key]
		if !ok {
			cl = len(classes)
		}
		out = append(out, setbot.RankedTicket{Issue: c.listed(b, back), Class: cl})
	}
	return out, nil
}
