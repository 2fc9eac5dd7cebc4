-- Each settled hand's PHH record (issue 11: hand histories in PHH): the table writes it with
-- every hole card dealt, and the routes hide the cards a viewer may not see. Hands settled
-- before this migration have none ('').
ALTER TABLE poker_hands ADD COLUMN phh TEXT NOT NULL DEFAULT '';
