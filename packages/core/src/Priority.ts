/**
 * How important a piece of work is. The allocator admits waiting work in
 * this order: `critical` > `high` > `medium` > `low` > `background`.
 *
 * @since 0.1.0
 */
import { Order, Schema } from "effect"

export const Priority = Schema.Literals(["critical", "high", "medium", "low", "background"])
export type Priority = typeof Priority.Type

/** Every priority, most important first. */
export const all: ReadonlyArray<Priority> = Priority.literals

/** 4 for `critical` down to 0 for `background`: higher is more important. */
export const rank = (priority: Priority): number => all.length - 1 - all.indexOf(priority)

/** Orders priorities from least to most important (sort descending for admission order). */
export const order: Order.Order<Priority> = Order.mapInput(Order.Number, rank)
