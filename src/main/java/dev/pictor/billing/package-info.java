/**
 * Credits: what each catalog model costs (the price table, APIDot's §8 figures by default, an
 * operator file over them) and what one validated request is estimated to cost. Depends on the
 * catalog only.
 */
package dev.pictor.billing;
